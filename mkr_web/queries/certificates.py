"""Certificates as a membership may see them: the admin the tenant's; a coordinator the
Resident certificates of the persons of their municipalities; an organiser the accreditation
certificates of their organisation's applications; anyone else none."""

from __future__ import annotations

import sqlalchemy as sa

from workflows.roles import Role

from ..models import AccreditationApplication, Certificate, CertificateKind, Membership, Person
from .people import persons_for


def certificates_for(membership: Membership) -> sa.Select:
    q = sa.select(Certificate).where(Certificate.tenant_id == membership.tenant_id)
    if membership.role is Role.ADMIN:
        return q
    if membership.role is Role.COORDINATOR:
        persons = persons_for(membership).with_only_columns(Person.id)
        return q.where(
            Certificate.kind == CertificateKind.RESIDENT, Certificate.subject_id.in_(persons)
        )
    if membership.role is Role.ORGANIZER:
        applications = sa.select(AccreditationApplication.id).where(
            AccreditationApplication.tenant_id == membership.tenant_id,
            AccreditationApplication.organizer_id == membership.organization_id,
        )
        return q.where(
            Certificate.kind == CertificateKind.ACCREDITATION,
            Certificate.subject_id.in_(applications),
        )
    return q.where(sa.false())
