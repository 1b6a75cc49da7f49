"""The audit log as sentences in the UI language: «Оператор Иванова И. И. включила в банк как
„Резидент (школьник)“». The verb agrees with the actor's gender where the patronymic tells
it; otherwise the sentence is passive («Включён в банк …: Оператор Иванов И.»), which needs
no gender. The technical record (action code, object, details, address) stays one click
away for admins (``templates/_journal.html``).
"""

from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l

from workflows.lifecycle import PersonStatus
from workflows.roles import Role

from ..documents.formats import grammatical_gender

#: The actor's role before the name: «Оператор Иванова И. И.».
ROLE_NOUNS = {
    Role.ADMIN.value: _l("Оператор"),
    Role.COORDINATOR.value: _l("Координатор"),
    Role.ORGANIZER.value: _l("Организатор"),
    Role.EXPERT.value: _l("Эксперт"),
    Role.PLATFORM_ADMIN.value: _l("Администратор платформы"),
}

#: The fields of a person's card, as the form names them.
PERSON_FIELDS = {
    "surname": _l("фамилия"),
    "name": _l("имя"),
    "patronymic": _l("отчество"),
    "birth_on": _l("дата рождения"),
    "municipality_id": _l("муниципалитет"),
    "organization_id": _l("организация"),
    "grade": _l("класс или курс"),
    "email": _l("электронная почта"),
    "phone": _l("телефон"),
    "parent_name": _l("ФИО родителя"),
    "parent_phone": _l("телефон родителя"),
    "parent_email": _l("почта родителя"),
    "social_url": _l("профиль в соцсети"),
}

#: action -> (he did it, she did it, it was done: no gender needed). %(who)s: the actor,
#: %(what)s: the action's particulars.
SENTENCES = {
    "person.create": (
        _l("%(who)s добавил карточку"),
        _l("%(who)s добавила карточку"),
        _l("Карточка добавлена: %(who)s"),
    ),
    "person.update": (
        _l("%(who)s изменил данные карточки: %(what)s"),
        _l("%(who)s изменила данные карточки: %(what)s"),
        _l("Изменены данные карточки (%(what)s): %(who)s"),
    ),
    "person.consent_add": (
        _l("%(who)s добавил согласие на обработку персональных данных"),
        _l("%(who)s добавила согласие на обработку персональных данных"),
        _l("Добавлено согласие на обработку персональных данных: %(who)s"),
    ),
    "person.achievement_add": (
        _l("%(who)s добавил достижение"),
        _l("%(who)s добавила достижение"),
        _l("Добавлено достижение: %(who)s"),
    ),
    "person.achievement_delete": (
        _l("%(who)s удалил достижение"),
        _l("%(who)s удалила достижение"),
        _l("Удалено достижение: %(who)s"),
    ),
    "person.project_add": (
        _l("%(who)s добавил проект"),
        _l("%(who)s добавила проект"),
        _l("Добавлен проект: %(who)s"),
    ),
    "person.person_project_delete": (
        _l("%(who)s удалил проект"),
        _l("%(who)s удалила проект"),
        _l("Удалён проект: %(who)s"),
    ),
    "person.data_export": (
        _l("%(who)s выгрузил все данные человека"),
        _l("%(who)s выгрузила все данные человека"),
        _l("Выгружены все данные человека: %(who)s"),
    ),
    "person.anonymize": (
        _l("%(who)s обезличил карточку"),
        _l("%(who)s обезличила карточку"),
        _l("Карточка обезличена: %(who)s"),
    ),
    "person.registry_export": (
        _l("%(who)s выгрузил реестр"),
        _l("%(who)s выгрузила реестр"),
        _l("Выгружен реестр: %(who)s"),
    ),
    "lifecycle.mark_potential": (
        _l("%(who)s отметил как потенциального резидента"),
        _l("%(who)s отметила как потенциального резидента"),
        _l("Отмечен как потенциальный резидент: %(who)s"),
    ),
    "lifecycle.admit_school": (
        _l("%(who)s включил в банк как «%(what)s»"),
        _l("%(who)s включила в банк как «%(what)s»"),
        _l("Включение в банк как «%(what)s»: %(who)s"),
    ),
    "lifecycle.admit_student": (
        _l("%(who)s включил в банк как «%(what)s»"),
        _l("%(who)s включила в банк как «%(what)s»"),
        _l("Включение в банк как «%(what)s»: %(who)s"),
    ),
    "lifecycle.enrol_university": (
        _l("%(who)s перевёл в студенты"),
        _l("%(who)s перевела в студенты"),
        _l("Перевод в студенты: %(who)s"),
    ),
    "lifecycle.graduate": (
        _l("%(who)s перевёл в партнёры (бывшие резиденты)"),
        _l("%(who)s перевела в партнёры (бывшие резиденты)"),
        _l("Перевод в партнёры (бывшие резиденты): %(who)s"),
    ),
    "lifecycle.exclude": (
        _l("%(who)s исключил из банка"),
        _l("%(who)s исключила из банка"),
        _l("Исключение из банка: %(who)s"),
    ),
    "person.view": (
        _l("%(who)s открыл карточку"),
        _l("%(who)s открыла карточку"),
        _l("Карточка открыта: %(who)s"),
    ),
    "auth.login.failed": (
        _l("Неудачная попытка входа: %(who)s"),
        _l("Неудачная попытка входа: %(who)s"),
        _l("Неудачная попытка входа: %(who)s"),
    ),
    "auth.login": (_l("%(who)s вошёл"), _l("%(who)s вошла"), _l("Вход: %(who)s")),
    "auth.logout": (_l("%(who)s вышел"), _l("%(who)s вышла"), _l("Выход: %(who)s")),
    "auth.password.change": (
        _l("%(who)s сменил пароль"),
        _l("%(who)s сменила пароль"),
        _l("Смена пароля: %(who)s"),
    ),
}


def actor(entry) -> tuple[str, str | None]:
    """«Оператор Иванова И. И.» and the actor's grammatical gender (None: not known)."""
    user = entry.user
    if user is None:
        return _("Система"), "f"  # «система» is feminine: «Система добавила карточку»
    parts = (user.full_name or "").split()
    if parts:
        name = parts[0] + "".join(f" {p[0]}." if p[0].isalpha() else f" {p}" for p in parts[1:3])
        gender = grammatical_gender(parts[2]) if len(parts) > 2 else None
    else:
        name, gender = user.email, None
    role = ROLE_NOUNS.get(entry.role or "")
    return (f"{role} {name}" if role else name), gender


def _what(entry) -> str:
    details = entry.details or {}
    if entry.action == "person.update":
        fields = details.get("fields") or []
        return ", ".join(str(PERSON_FIELDS.get(f, f)) for f in fields) or "—"
    if entry.action.startswith("lifecycle.") and details.get("to_state"):
        try:
            return PersonStatus(details["to_state"]).title_ru
        except ValueError:
            return details["to_state"]
    return ""


def sentence(entry) -> str:
    """The entry as one sentence in the UI language."""
    who, gender = actor(entry)
    forms = SENTENCES.get(entry.action)
    if forms is None:
        return _("%(who)s: действие «%(action)s»", who=who, action=entry.action)
    he, she, passive = forms
    form = he if gender == "m" else she if gender == "f" else passive
    return str(form) % {"who": who, "what": _what(entry)}
