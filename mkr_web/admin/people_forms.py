"""Forms of the persons registry (admin)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from workflows.consent import ConsentPurpose

from ..models import AchievementLevel, ConsentGiver
from ..operations.people import PERSON_FIELDS
from ..web.forms import Form
from ..web.params import id_value

PHONE = Regexp(r"^[\d\s()+\-]{5,40}$", message=_l("Телефон: цифры, пробелы, +, -, скобки."))


class PersonForm(Form):
    surname = StringField(_l("Фамилия"), validators=[DataRequired(), Length(max=100)])
    name = StringField(_l("Имя"), validators=[DataRequired(), Length(max=100)])
    patronymic = StringField(_l("Отчество"), validators=[Optional(), Length(max=100)])
    birth_on = DateField(_l("Дата рождения"), validators=[Optional()])
    snils = StringField(
        _l("СНИЛС"),
        validators=[Optional(), Length(max=14)],
        description=_l("11 цифр, например 112-233-445 95"),
    )
    municipality_id = SelectField(_l("Муниципалитет"), coerce=id_value, validators=[Optional()])
    organization_id = SelectField(
        _l("Образовательная организация"), coerce=id_value, validators=[Optional()]
    )
    grade = StringField(_l("Класс или курс"), validators=[Optional(), Length(max=40)])
    email = EmailField(_l("Электронная почта"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Телефон"), validators=[Optional(), PHONE])
    parent_name = StringField(
        _l("ФИО родителя (законного представителя)"), validators=[Optional(), Length(max=200)]
    )
    parent_phone = StringField(_l("Телефон родителя"), validators=[Optional(), PHONE])
    parent_email = EmailField(
        _l("Почта родителя"), validators=[Optional(), Email(), Length(max=254)]
    )
    social_url = StringField(
        _l("Профиль в социальной сети"),
        validators=[
            Optional(),
            Length(max=300),
            Regexp(r"^https?://\S+$", message=_l("Ссылка http(s)://…")),
        ],
    )
    version = HiddenField()

    def person_data(self) -> dict:
        data = {k: getattr(self, k).data for k in PERSON_FIELDS}
        data["municipality_id"] = self.municipality_id.data or None
        data["organization_id"] = self.organization_id.data or None
        return data


class StatusForm(Form):
    # The lifecycle machine judges the action and the organisation (with its own messages).
    action = SelectField(_l("Действие"), validators=[DataRequired()], validate_choice=False)
    on = DateField(_l("Дата изменения"), validators=[DataRequired()], default=date.today)
    comment = TextAreaField(
        _l("Комментарий (для исключения — причина)"), validators=[Optional(), Length(max=500)]
    )
    basis = StringField(_l("Основание"), validators=[Optional(), Length(max=500)])
    organization_id = SelectField(
        _l("Вуз или колледж (при поступлении)"),
        coerce=id_value,
        validators=[Optional()],
        validate_choice=False,
    )
    version = HiddenField()


class ConsentForm(Form):
    given_on = DateField(_l("Дата согласия"), validators=[DataRequired()], default=date.today)
    given_by = SelectField(
        _l("Кто дал согласие"),
        choices=[
            (ConsentGiver.SELF.value, _l("Сам(а)")),
            (ConsentGiver.PARENT.value, _l("Родитель (законный представитель)")),
        ],
    )
    giver_name = StringField(_l("ФИО давшего согласие"), validators=[Optional(), Length(max=200)])
    covers_processing = BooleanField(_l("На обработку персональных данных"), default=True)
    covers_publication = BooleanField(_l("На публикацию достижений"))
    covers_transfer = BooleanField(_l("На передачу в федеральный реестр"))
    scan = FileField(_l("Скан подписанного согласия (PDF, JPEG, PNG)"))

    def purposes(self) -> list[ConsentPurpose]:
        return [p for p in ConsentPurpose if self[p.column].data]


class WithdrawConsentForm(Form):
    withdrawn_on = DateField(_l("Дата отзыва"), validators=[DataRequired()], default=date.today)
    note = StringField(_l("Примечание"), validators=[Optional(), Length(max=500)])


class AchievementForm(Form):
    title = StringField(_l("Достижение"), validators=[DataRequired(), Length(max=500)])
    level = SelectField(_l("Уровень"), choices=[(lv.value, lv.title_ru) for lv in AchievementLevel])
    result = StringField(_l("Результат"), validators=[DataRequired(), Length(max=200)])
    achieved_on = DateField(_l("Дата"), validators=[DataRequired()])
    is_success_story = BooleanField(_l("История успеха (#ИсторииУспехаМКР)"))


class ProjectForm(Form):
    title = StringField(_l("Проект"), validators=[DataRequired(), Length(max=300)])
    role = StringField(_l("Роль"), validators=[DataRequired(), Length(max=100)])
    support_kind = StringField(_l("Вид поддержки"), validators=[DataRequired(), Length(max=200)])
    year = IntegerField(_l("Год"), validators=[DataRequired(), NumberRange(2000, 2100)])
