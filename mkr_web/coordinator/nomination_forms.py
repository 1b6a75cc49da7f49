"""Forms of a nomination (the coordinator writes it; the admin decides with event_forms'
CommentForm)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..models import AchievementLevel, NominationKind
from ..web.forms import Form
from ..web.params import id_value

KIND_CHOICES = [(k.value, k.title_ru) for k in NominationKind]
LEVEL_CHOICES = [("", "—")] + [(k.value, k.title_ru) for k in AchievementLevel]


class NominationForm(Form):
    kind = SelectField(_l("Вид выдвижения"), choices=KIND_CHOICES)
    achievement_level = SelectField(
        _l("Уровень достижения"), choices=LEVEL_CHOICES, validators=[Optional()]
    )
    opportunity_id = SelectField(
        _l("Возможность (для выдвижения на возможность)"), coerce=id_value, validators=[Optional()]
    )
    description = TextAreaField(
        _l("Достижения и основания выдвижения"), validators=[DataRequired(), Length(max=5000)]
    )
    version = HiddenField()


class EvidenceForm(Form):
    file = FileField(_l("Подтверждающий документ (PDF, до 10 МБ)"))


class PersonSearchForm(Form):
    q = StringField(_l("Фамилия и имя"), validators=[DataRequired(), Length(min=2, max=200)])
