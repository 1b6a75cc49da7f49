"""Forms shared by several role blueprints: events, editions, participants, accreditation
applications, review steps, the check of an admission candidate, and the version parser."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..models import (
    Direction,
    EditionFormat,
    EditionState,
    EventKind,
    EventLevel,
    ParticipationRole,
)

LEVEL_TITLES = {
    EventLevel.MUNICIPAL: _l("Муниципальный"),
    EventLevel.REGIONAL: _l("Региональный"),
    EventLevel.INTERREGIONAL: _l("Межрегиональный"),
    EventLevel.ALL_RUSSIAN: _l("Всероссийский"),
    EventLevel.INTERNATIONAL: _l("Международный"),
}
FORMAT_TITLES = {
    EditionFormat.IN_PERSON: _l("Очно"),
    EditionFormat.REMOTE: _l("Дистанционно"),
    EditionFormat.VIDEO: _l("По видеосвязи"),
}
EDITION_STATE_TITLES = {
    EditionState.HELD: _l("Проведено"),
    EditionState.NOT_HELD: _l("Не проводилось"),
    EditionState.MOVED: _l("Перенесено (сроки сдвинуты)"),
}
CATEGORY_TITLES = {
    "students": _l("Обучающиеся"),
    "teachers": _l("Педагоги"),
    "experts": _l("Эксперты"),
}

DIRECTION_CHOICES = [(d.value, d.title_ru) for d in Direction]
LEVEL_CHOICES = [(k.value, v) for k, v in LEVEL_TITLES.items()]


class EventForm(FlaskForm):
    title = StringField(_l("Название"), validators=[DataRequired(), Length(max=500)])
    short_title = StringField(_l("Краткое название"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Вид"), choices=[(k.value, k.title_ru) for k in EventKind])
    direction = SelectField(_l("Тематическое направление"), choices=DIRECTION_CHOICES)
    level = SelectField(_l("Уровень"), choices=LEVEL_CHOICES, default=EventLevel.REGIONAL.value)
    organizer_id = SelectField(_l("Организатор"), coerce=int, validators=[Optional()])
    partner_ids = SelectMultipleField(
        _l("Организации-партнёры"), coerce=int, validators=[Optional()]
    )
    related_event_id = SelectField(
        _l("Связано с аккредитованным мероприятием"), coerce=int, validators=[Optional()]
    )


class EditionForm(FlaskForm):
    year = IntegerField(_l("Отчётный год"), validators=[InputRequired(), NumberRange(2000, 2100)])
    title = StringField(
        _l("Название проведения (если отличается)"), validators=[Optional(), Length(max=500)]
    )
    starts_on = DateField(_l("Дата начала"), validators=[Optional()])
    ends_on = DateField(_l("Дата окончания"), validators=[Optional()])
    format = SelectField(_l("Формат"), choices=[(k.value, v) for k, v in FORMAT_TITLES.items()])
    state = SelectField(
        _l("Состояние"), choices=[(k.value, v) for k, v in EDITION_STATE_TITLES.items()]
    )
    note = TextAreaField(
        _l("Примечание (обязательно, если перенесено или не проводилось)"),
        validators=[Optional(), Length(max=500)],
    )


class ParticipantForm(FlaskForm):
    surname = StringField(_l("Фамилия"), validators=[DataRequired(), Length(max=100)])
    name = StringField(_l("Имя"), validators=[DataRequired(), Length(max=100)])
    patronymic = StringField(_l("Отчество"), validators=[Optional(), Length(max=100)])
    birth_on = DateField(_l("Дата рождения"), validators=[DataRequired()])
    municipality_id = SelectField(_l("Муниципалитет"), coerce=int, validators=[Optional()])
    organization_id = SelectField(
        _l("Образовательная организация"), coerce=int, validators=[Optional()]
    )
    role = SelectField(_l("Роль"), choices=[(r.value, r.title_ru) for r in ParticipationRole])
    place = IntegerField(_l("Место"), validators=[Optional(), NumberRange(1, 100)])
    section = StringField(_l("Секция, номинация"), validators=[Optional(), Length(max=300)])


class ApplicationForm(FlaskForm):
    title = StringField(_l("Название мероприятия"), validators=[DataRequired(), Length(max=500)])
    direction = SelectField(_l("Тематическое направление"), choices=DIRECTION_CHOICES)
    level = SelectField(_l("Уровень"), choices=LEVEL_CHOICES, default=EventLevel.REGIONAL.value)
    regularity = StringField(_l("Периодичность"), validators=[Optional(), Length(max=200)])
    audience = StringField(_l("Целевая аудитория"), validators=[Optional(), Length(max=500)])
    expected_participants = IntegerField(
        _l("Ожидаемое число участников"), validators=[Optional(), NumberRange(0, 1_000_000)]
    )
    municipality_ids = SelectMultipleField(
        _l("Муниципалитеты, на которые рассчитано мероприятие"), coerce=int, validators=[Optional()]
    )
    selection_method = TextAreaField(_l("Как определяются победители"), validators=[Optional()])
    partner_ids = SelectMultipleField(
        _l("Организации-партнёры"), coerce=int, validators=[Optional()]
    )
    event_id = SelectField(
        _l("Уже проводившееся мероприятие организации (если есть)"),
        coerce=int,
        validators=[Optional()],
    )
    regulation = FileField(_l("Положение о мероприятии (PDF, до 10 МБ)"))


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("Комментарий"), validators=[Optional(), Length(max=5000)])
    version = HiddenField()


class AccreditForm(CommentForm):
    valid_from = IntegerField(
        _l("Аккредитовано с (год)"), validators=[InputRequired(), NumberRange(2000, 2100)]
    )
    valid_to = IntegerField(
        _l("по (год включительно)"), validators=[InputRequired(), NumberRange(2000, 2100)]
    )


class AssignForm(FlaskForm):
    expert_ids = SelectMultipleField(_l("Эксперты"), coerce=int, validators=[DataRequired()])


class VersionForm(FlaskForm):
    version = HiddenField()


def parse_version(raw) -> int | None:
    """The one parser of a posted ``version`` (optimistic locking): None when missing."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else None


def version_of(form) -> int | None:
    """The ``version`` a form was loaded with."""
    return parse_version(form.version.data)


def int_or_none(value) -> int | None:
    """A query-string or form value as an int, or None when it is not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ---- admission: the check of a candidate (coordinator, or admin where there is none) ----


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
