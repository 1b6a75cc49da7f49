"""Forms of the checker of an admission candidate (coordinator; admin uses them too)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import BooleanField, DateField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length


class ConfirmCandidateForm(FlaskForm):
    consent_on = DateField(
        _l("Дата согласия на обработку персональных данных"), validators=[DataRequired()]
    )
    scan = FileField(
        _l("Скан подписанного согласия (PDF)"), validators=[FileAllowed(["pdf"], _l("Нужен PDF."))]
    )
    on_file = BooleanField(_l("Оригинал согласия хранится у меня (скан не прикладываю)"))
    version = HiddenField()


class ReturnCandidateForm(FlaskForm):
    reason = TextAreaField(_l("Что нужно исправить"), validators=[DataRequired(), Length(max=500)])
    version = HiddenField()
