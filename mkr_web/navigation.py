"""Navigation per role: (endpoint, title); in-app paths outside a request (:func:`app_path`)
and absolute URLs built from ``MKR_BASE_URL``.
Later features append their pages here."""

from urllib.parse import urlsplit

from flask import current_app, has_app_context, has_request_context, url_for
from flask_babel import lazy_gettext as _l

from workflows.roles import Role

NAV = {
    Role.ADMIN: [
        # the programme's work first, then administration
        ("admin.dashboard", _l("Главная")),
        ("admin.people", _l("Реестр")),
        ("admin.duplicates", _l("Дубликаты")),
        ("admin.retention", _l("Уничтожение данных")),
        ("admin.events", _l("Мероприятия")),
        ("admin.accreditation_list", _l("Аккредитация")),
        ("admin.admission_batches", _l("Включение в банк")),
        ("admin.nominations", _l("Выдвижения")),
        ("admin.opportunities", _l("Возможности и партнёры")),
        ("admin.report", _l("Аналитическая справка")),
        ("admin.reference", _l("Справочники")),
        ("admin.users", _l("Пользователи")),
        ("admin.rubrics", _l("Критерии")),
        ("admin.settings", _l("Настройки")),
        ("admin.sso_settings", _l("Вход через внешний сервер")),
        ("admin.notification_templates", _l("Шаблоны уведомлений")),
        ("admin.outbox", _l("Исходящие")),
        ("admin.audit", _l("Журнал аудита")),
        ("admin.health", _l("Состояние системы")),
    ],
    Role.COORDINATOR: [
        ("coordinator.dashboard", _l("Главная")),
        ("coordinator.people", _l("Реестр")),
        ("coordinator.nominations", _l("Выдвижения")),
        ("coordinator.admission", _l("Кандидаты на включение")),
        ("coordinator.report", _l("Аналитическая справка")),
    ],
    Role.ORGANIZER: [
        ("organizer.dashboard", _l("Главная")),
        ("organizer.events", _l("Мероприятия")),
        ("organizer.accreditation_list", _l("Аккредитация")),
        ("organizer.admission", _l("Протоколы результатов")),
    ],
    Role.EXPERT: [("expert.dashboard", _l("Главная")), ("expert.reviews_list", _l("Экспертиза"))],
    Role.PLATFORM_ADMIN: [
        ("platform.dashboard", _l("Проекты (регионы)")),
        ("platform.outbox", _l("Письма учётных записей")),
    ],
}


def nav_for(ctx, view_functions) -> list:
    if ctx is None:
        return []
    return [(e, t) for e, t in NAV.get(ctx.role, []) if e in view_functions]


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` under the configured ``MKR_BASE_URL``.

    Works in any app context (a Celery task, the CLI, a request) and never looks at the
    request's Host header, which a client controls."""
    base = urlsplit(current_app.config["MKR_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def app_path(endpoint: str, **values) -> str | None:
    """The in-app path of a page, also outside a request (Celery beat, the demo loader)."""
    if has_request_context():
        return url_for(endpoint, **values)
    if has_app_context():
        with current_app.test_request_context():
            return url_for(endpoint, **values)
    return None
