"""The roles a user can act in. A role is held per tenant, except the platform admin."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    ORGANIZER = "organizer"
    EXPERT = "expert"
    PLATFORM_ADMIN = "platform-admin"

    @property
    def title_ru(self) -> str:
        return ROLE_TITLES[self]

    @property
    def is_tenant_role(self) -> bool:
        return self is not Role.PLATFORM_ADMIN


ROLE_TITLES = {
    Role.ADMIN: "Оператор (администратор)",
    Role.COORDINATOR: "Муниципальный координатор",
    Role.ORGANIZER: "Организатор мероприятий",
    Role.EXPERT: "Эксперт",
    Role.PLATFORM_ADMIN: "Администратор платформы",
}

TENANT_ROLES = tuple(r for r in Role if r.is_tenant_role)
