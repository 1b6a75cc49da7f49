"""Forms shared by several role blueprints: the base :class:`Form` every form of the app
derives from (CSRF and a single-use token), events, editions, participants, accreditation
applications, review steps, the check of an admission candidate, and the version parser."""

from __future__ import annotations

import functools
from datetime import date

from babel.support import NullTranslations, Translations
from flask import current_app, g, has_request_context
from flask_babel import get_locale, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from markupsafe import Markup, escape
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
from wtforms.i18n import messages_path
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import Input, Select
from wtforms.widgets.core import clean_key, html_params as widget_html_params

from ..models import (
    Direction,
    EditionFormat,
    EditionState,
    EventKind,
    EventLevel,
    ParticipationRole,
)
from ..operations.submissions import new_form_token
from .commit import USED_TOKENS
from .labels import translate_label, translating
from .params import id_value, parse_int

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


class FormTokenField(HiddenField):
    """The form's single-use token (:mod:`mkr_web.operations.submissions`). A page showing a
    form again after its action was done (its token used) renders a fresh token."""

    def _value(self):
        if not self.data or self.data in g.get(USED_TOKENS, ()):
            return new_form_token()
        return self.data


def html_params(**kwargs) -> Markup:
    """wtforms' ``html_params``, written with f-strings: the same attributes, order and
    escaping (its ``Markup.format`` per attribute was ~10 µs, ~150 of them on a person's card).
    Installed as the ``html_params`` hook of wtforms' ``Input`` widgets by :func:`init_forms`;
    ``tests/unit/test_fast_select.py`` compares it with wtforms' own."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = escape(clean_key(key))
        if value is True:
            params.append(key)
        elif value is not False:
            value = str(escape(value))
            if '"' in value:  # a Markup value is not escaped again: its quotes are
                value = value.replace('"', "&quot;")
            params.append(f'{key}="{value}"')
    return Markup(" ".join(params))


class FastSelect(Select):
    """wtforms' ``<select>``, each plain option written by one f-string: the stock widget
    calls ``html_params`` and ``Markup.format`` per option, ~10 µs each, and a region's list
    of schools has hundreds. The markup is the stock one (``selected`` before ``value``, the
    same escaping); an option with its own attributes goes the stock way."""

    def __call__(self, field, **kwargs):
        """Plain ``(value, label)`` choices are written straight from the list: wtforms
        builds four ``Choice`` objects per option on its way to the markup (~15 µs an
        option; the status form's universities are ~80). Groups, an option's own
        attributes or callable choices go the stock way."""
        choices = field.choices
        if not isinstance(choices, (list, tuple)) or not all(
            type(c) is tuple and len(c) == 2 for c in choices
        ):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        html = [f"<select {widget_html_params(name=field.name, **kwargs)}>"]
        coerce, data = field.coerce, field.data
        if self.multiple:
            data = data or ()
        for value, label in choices:
            selected = coerce(value) in data if self.multiple else coerce(value) == data
            html.append(_option(value, label, selected))
        html.append("</select>")
        return Markup("".join(html))

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        return Markup(_option(choice.value, choice.label, choice.selected))


def _option(value, label, selected: bool) -> str:
    """One ``<option>`` as wtforms writes it: ``selected`` before ``value``, a bool value
    as its ``str``, the value itself where there is no label."""
    shown = str(value) if isinstance(value, bool) else value
    return (
        f'<option {"selected " if selected else ""}value="{escape(shown)}">'
        f"{escape(label or value)}</option>"
    )


_FAST_SELECTS = {False: FastSelect(), True: FastSelect(multiple=True)}


class _WTFormsTranslations:
    """wtforms' catalog (its validators' messages, the labels it makes up) of the request's
    locale; :attr:`Form.Meta.get_translations`."""

    _catalogs: dict = {}

    def _catalog(self):
        locale = get_locale() if has_request_context() else None
        if locale is None:
            return NullTranslations()
        key = str(locale)
        catalog = self._catalogs.get(key)
        if catalog is None:
            catalog = Translations.load(messages_path(), [locale], domain="wtforms")
            self._catalogs[key] = catalog
        return catalog

    def gettext(self, string):
        return self._catalog().ugettext(string)

    def ngettext(self, singular, plural, n):
        return self._catalog().ungettext(singular, plural, n)


WTFORMS_TRANSLATIONS = _WTFormsTranslations()


class Form(FlaskForm):
    """Every form of the app: CSRF (Flask-WTF) and a single-use token, recorded by the one
    commit helper (:func:`mkr_web.web.commit.commit_or_refuse`) with the form's action, so a
    double submit or two identical requests at once act once. (The field's name is
    :data:`mkr_web.operations.submissions.FIELD`.)"""

    form_token = FormTokenField(default=new_form_token)

    class Meta:
        def render_field(self, field, render_kw):
            """Choices titled by the enums' Russian titles are shown in the UI language (in
            Russian they are shown as they are: a region's hundreds of schools are not walked)."""
            choices = getattr(field, "choices", None)
            if isinstance(choices, list) and translating():
                field.choices = [
                    (c[0], translate_label(c[1]), *c[2:]) if isinstance(c, tuple) else c
                    for c in choices
                ]
            if type(field.widget) is Select:
                field.widget = _FAST_SELECTS[field.widget.multiple]
            return DefaultMeta.render_field(self, field, render_kw)

        def get_translations(self, form):
            """wtforms' own messages in the UI language, from a catalog read once per
            process and locale (Flask-WTF's reads it from disk in every request)."""
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return DefaultMeta.get_translations(self, form)
            return WTFORMS_TRANSLATIONS


class EventForm(Form):
    title = StringField(_l("Название"), validators=[DataRequired(), Length(max=500)])
    short_title = StringField(_l("Краткое название"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Вид"), choices=[(k.value, k.title_ru) for k in EventKind])
    direction = SelectField(_l("Тематическое направление"), choices=DIRECTION_CHOICES)
    level = SelectField(_l("Уровень"), choices=LEVEL_CHOICES, default=EventLevel.REGIONAL.value)
    organizer_id = SelectField(_l("Организатор"), coerce=id_value, validators=[Optional()])
    partner_ids = SelectMultipleField(
        _l("Организации-партнёры"), coerce=id_value, validators=[Optional()]
    )
    related_event_id = SelectField(
        _l("Связано с аккредитованным мероприятием"), coerce=id_value, validators=[Optional()]
    )


class EditionForm(Form):
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


class ParticipantForm(Form):
    surname = StringField(_l("Фамилия"), validators=[DataRequired(), Length(max=100)])
    name = StringField(_l("Имя"), validators=[DataRequired(), Length(max=100)])
    patronymic = StringField(_l("Отчество"), validators=[Optional(), Length(max=100)])
    birth_on = DateField(_l("Дата рождения"), validators=[DataRequired()])
    municipality_id = SelectField(_l("Муниципалитет"), coerce=id_value, validators=[Optional()])
    organization_id = SelectField(
        _l("Образовательная организация"), coerce=id_value, validators=[Optional()]
    )
    role = SelectField(_l("Роль"), choices=[(r.value, r.title_ru) for r in ParticipationRole])
    place = IntegerField(_l("Место"), validators=[Optional(), NumberRange(1, 100)])
    section = StringField(_l("Секция, номинация"), validators=[Optional(), Length(max=300)])


class ApplicationForm(Form):
    title = StringField(_l("Название мероприятия"), validators=[DataRequired(), Length(max=500)])
    direction = SelectField(_l("Тематическое направление"), choices=DIRECTION_CHOICES)
    level = SelectField(_l("Уровень"), choices=LEVEL_CHOICES, default=EventLevel.REGIONAL.value)
    regularity = StringField(_l("Периодичность"), validators=[Optional(), Length(max=200)])
    audience = StringField(_l("Целевая аудитория"), validators=[Optional(), Length(max=500)])
    expected_participants = IntegerField(
        _l("Ожидаемое число участников"), validators=[Optional(), NumberRange(0, 1_000_000)]
    )
    municipality_ids = SelectMultipleField(
        _l("Муниципалитеты, на которые рассчитано мероприятие"),
        coerce=id_value,
        validators=[Optional()],
    )
    selection_method = TextAreaField(_l("Как определяются победители"), validators=[Optional()])
    partner_ids = SelectMultipleField(
        _l("Организации-партнёры"), coerce=id_value, validators=[Optional()]
    )
    event_id = SelectField(
        _l("Уже проводившееся мероприятие организации (если есть)"),
        coerce=id_value,
        validators=[Optional()],
    )
    regulation = FileField(_l("Положение о мероприятии (PDF, до 10 МБ)"))


class CommentForm(Form):
    comment = TextAreaField(_l("Комментарий"), validators=[Optional(), Length(max=5000)])
    version = HiddenField()


class AccreditForm(CommentForm):
    valid_from = IntegerField(
        _l("Аккредитовано с (год)"), validators=[InputRequired(), NumberRange(2000, 2100)]
    )
    valid_to = IntegerField(
        _l("по (год включительно)"), validators=[InputRequired(), NumberRange(2000, 2100)]
    )


class AssignForm(Form):
    expert_ids = SelectMultipleField(_l("Эксперты"), coerce=id_value, validators=[DataRequired()])


class VersionForm(Form):
    version = HiddenField()


def parse_version(raw) -> int | None:
    """The one parser of a posted ``version`` (optimistic locking): None when missing."""
    return parse_int(raw, minimum=0)


def version_of(form) -> int | None:
    """The ``version`` a form was loaded with."""
    return parse_version(form.version.data)


def int_or_none(value) -> int | None:
    """A query-string or form value as an int, or None when it is not one
    (:func:`mkr_web.web.params.parse_int`: ASCII digits, a 32-bit integer)."""
    return parse_int(value)


# ---- admission: the check of a candidate (coordinator, or admin where there is none) ----


class ConfirmCandidateForm(Form):
    consent_on = DateField(
        _l("Дата согласия на обработку персональных данных"), validators=[DataRequired()]
    )
    scan = FileField(
        _l("Скан подписанного согласия (PDF)"), validators=[FileAllowed(["pdf"], _l("Нужен PDF."))]
    )
    on_file = BooleanField(_l("Оригинал согласия хранится у меня (скан не прикладываю)"))
    version = HiddenField()


class ReturnCandidateForm(Form):
    reason = TextAreaField(_l("Что нужно исправить"), validators=[DataRequired(), Length(max=500)])
    version = HiddenField()


def _notes(f) -> Markup:
    """A field's errors (one block, joined by ``<br>``) and its hint, each with its id."""
    out = Markup("")
    if f.errors:
        errors = Markup("<br>").join(translate_label(e) for e in f.errors)
        out += Markup('<div class="invalid-feedback" id="{}-error">{}</div>').format(f.id, errors)
    if f.description:
        hint = translate_label(f.description)
        out += Markup('<div class="form-text" id="{}-hint">{}</div>').format(f.id, hint)
    return out


def form_field(f) -> Markup:
    """One field with its label, its hint and its errors (the templates' ``field(f)``); the
    errors and the hint are tied to the field (``aria-describedby``, ``aria-invalid``), so a
    screen reader reads them with it. Python, not a Jinja macro: a person's card shows 21
    fields, and the macro's own evaluation was about a third of their cost."""
    described = []
    if f.description:
        described.append(f"{f.id}-hint")
    if f.errors:
        described.append(f"{f.id}-error")
    aria = {"aria-describedby": " ".join(described)} if described else {}
    invalid = ""
    if f.errors:
        aria["aria-invalid"] = "true"
        invalid = " is-invalid"
    if f.type == "BooleanField":
        return Markup('<div class="form-check mb-3">\n{}\n{}\n{}\n</div>\n').format(
            f(class_="form-check-input" + invalid, **aria),
            f.label(class_="form-check-label"),
            _notes(f),
        )
    cls = "form-select" if f.type in ("SelectField", "SelectMultipleField") else "form-control"
    return Markup('<div class="mb-3">\n{}\n{}\n{}\n</div>\n').format(
        f.label(class_="form-label"), f(class_=cls + invalid, **aria), _notes(f)
    )


@functools.lru_cache(maxsize=256)
def _blank_fields(form_class, names: tuple, defaults: tuple, locale: str, today: date) -> Markup:
    form = form_class(formdata=None, meta={"csrf": False}, **dict(defaults))
    return Markup("").join(form_field(form[name]) for name in names)


def blank_fields(form_class, *names: str, **defaults) -> Markup:
    """The fields ``names`` of an empty ``form_class`` (its defaults, or ``defaults``), as
    ``field(f)`` renders each: the templates' ``blank_fields(Form, 'a', 'b')``.

    For a form a page always shows empty (a failed submit flashes its errors and returns to
    the page): the HTML of such fields depends on the form, the language and the date (a
    date's default is today) only, so it is rendered once per process and day and language.
    A person's card shows three (consent, achievement, project: 16 fields, ~15% of the
    card). The form's tokens are not in it: the template writes ``csrf_token()`` and
    ``form_token()``, fresh on every page."""
    return _blank_fields(
        form_class, names, tuple(sorted(defaults.items())), str(get_locale()), date.today()
    )


def init_forms(app) -> None:
    """Every ``<input>`` of every form writes its attributes through :func:`html_params`
    (wtforms' ``Input.html_params`` is the widgets' hook for it); ``field(f)`` in every
    template is :func:`form_field`."""
    Input.html_params = staticmethod(html_params)
    app.jinja_env.globals["field"] = form_field
    app.jinja_env.globals["blank_fields"] = blank_fields
