"""Navigation per role: (endpoint, title). Later features append their pages here."""

from flask_babel import lazy_gettext as _l

from workflows.roles import Role

NAV = {
    Role.ADMIN: [
        ("admin.dashboard", _l("Главная")),
        ("admin.reference", _l("Справочники")),
        ("admin.users", _l("Пользователи")),
        ("admin.report", _l("Аналитическая справка")),
        ("admin.settings", _l("Настройки")),
        ("admin.audit", _l("Журнал аудита")),
        ("admin.health", _l("Состояние системы")),
    ],
    Role.COORDINATOR: [
        ("coordinator.dashboard", _l("Главная")),
        ("coordinator.report", _l("Аналитическая справка")),
    ],
    Role.ORGANIZER: [("organizer.dashboard", _l("Главная"))],
    Role.EXPERT: [("expert.dashboard", _l("Главная"))],
    Role.PLATFORM_ADMIN: [("platform.dashboard", _l("Проекты (регионы)"))],
}


def nav_for(ctx, view_functions) -> list:
    if ctx is None:
        return []
    return [(e, t) for e, t in NAV.get(ctx.role, []) if e in view_functions]
