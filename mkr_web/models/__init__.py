"""SQLAlchemy models, one module per topic; imported here so Alembic sees them all."""

from .audit import AuditEntry
from .base import db
from .tenancy import Municipality, MunicipalityKind, Organization, OrganizationKind, Tenant
from .users import Membership, User, membership_municipality

__all__ = [
    "AuditEntry",
    "Membership",
    "Municipality",
    "MunicipalityKind",
    "Organization",
    "OrganizationKind",
    "Tenant",
    "User",
    "db",
    "membership_municipality",
]
