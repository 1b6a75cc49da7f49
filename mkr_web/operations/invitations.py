"""Invitations: an admin offers a role (with its scope) to an e-mail address; the invitee
opens the single-use link from the mail, chooses a password (a new account) or simply
accepts (an existing one), and holds the role. Nobody but the invitee types the password.

A tenant admin invites into their tenant; the platform admin invites a new tenant's first
admin. Resending makes a new link (the old one stops working) and a new expiry; revoking
ends the invitation. Every step is audited without the link.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from workflows.roles import Role

from ..documents import formats
from ..errors import OperationError
from ..extensions import db
from ..models import (
    Invitation,
    InvitationState,
    Membership,
    Municipality,
    Organization,
    Tenant,
    User,
)
from ..models.base import utcnow
from ..navigation import external_url
from ..queries.accounts import invitation_by_id, pending_invitation_exists
from ..queries.reference import user_by_email
from . import links
from .audit import record
from .notifications import send_account_mail
from .passwords import password_problems
from .tenancy import check_scope, grant_role
from .text import _

KIND = "invitation"


def _expiry(now: datetime) -> datetime:
    return now + timedelta(days=current_app.config["MKR_INVITATION_DAYS"])


def _send(invitation: Invitation, secret: str) -> None:
    link = external_url("auth.invitation", token=links.make_token(KIND, invitation.id, secret))
    role = invitation.role.title_ru
    zone = invitation.tenant.setting("time_zone") or current_app.config["BABEL_DEFAULT_TIMEZONE"]
    send_account_mail(
        invitation.user_id,
        _("Приглашение в МКР: %(tenant)s", tenant=invitation.tenant.name),
        _(
            "Вас пригласили в региональный банк данных «%(tenant)s» с ролью «%(role)s». "
            "Откройте ссылку, чтобы принять приглашение (и задать пароль, если учётной записи "
            "ещё нет). Ссылка действует "
            "до %(until)s (время — %(city)s) и открывается один раз.",
            tenant=invitation.tenant.name,
            role=role,
            until=formats.when(invitation.expires_at, zone),
            city=formats.zone_city(zone),
        ),
        link,
    )


def invite(
    tenant: Tenant,
    email: str,
    role: Role,
    *,
    full_name: str = "",
    municipalities: list[Municipality] | None = None,
    organization: Organization | None = None,
    actor: User | None = None,
) -> Invitation:
    """Create (and mail) an invitation; the account is made now, without a password."""
    email_n = User.normalize_email(email)
    if not email_n or "@" not in email_n or len(email_n) > 254:
        raise OperationError("Укажите корректный адрес электронной почты.")
    check_scope(tenant, role, municipalities, organization)
    user = user_by_email(email_n)
    if user is None:
        user = User(email=email_n, full_name=(full_name or "").strip()[:200], password_hash="")
        db.session.add(user)
        db.session.flush()
    elif db.session.execute(
        sa.select(Membership.id).where(
            Membership.user_id == user.id,
            Membership.tenant_id == tenant.id,
            Membership.role == role,
        )
    ).first():
        raise OperationError("У этого пользователя уже есть эта роль в проекте.")
    now = utcnow()
    if pending_invitation_exists(tenant.id, user.id, role, now):
        raise OperationError(
            "Приглашение с этой ролью уже ждёт ответа: отправьте его повторно из списка."
        )
    secret, digest = links.new_secret()
    invitation = Invitation(
        tenant=tenant,
        user=user,
        role=role,
        organization=organization if role is Role.ORGANIZER else None,
        municipalities=list(municipalities or []) if role is Role.COORDINATOR else [],
        token_hash=digest,
        invited_by_id=getattr(actor, "id", None),
        created_at=now,
        sent_at=now,
        expires_at=_expiry(now),
    )
    db.session.add(invitation)
    db.session.flush()
    _send(invitation, secret)
    record(
        "invitation.create",
        invitation,
        tenant_id=tenant.id,
        user=actor,
        role=role.value,
        invitee_id=user.id,
    )
    return invitation


def resend(invitation: Invitation, *, actor: User | None = None) -> Invitation:
    """A new link and a new expiry for a pending (or expired) invitation."""
    if invitation.state is not InvitationState.PENDING:
        raise OperationError("Приглашение уже принято или отозвано.")
    now = utcnow()
    secret, digest = links.new_secret()
    invitation.token_hash = digest
    invitation.sent_at = now
    invitation.expires_at = _expiry(now)
    db.session.flush()
    _send(invitation, secret)
    record("invitation.resend", invitation, tenant_id=invitation.tenant_id, user=actor)
    return invitation


def revoke(invitation: Invitation, *, actor: User | None = None) -> Invitation:
    if invitation.state is not InvitationState.PENDING:
        raise OperationError("Приглашение уже принято или отозвано.")
    invitation.state = InvitationState.REVOKED
    invitation.revoked_at = utcnow()
    record("invitation.revoke", invitation, tenant_id=invitation.tenant_id, user=actor)
    return invitation


class LinkState:
    """What a link found: the row and why it cannot be used (None: usable)."""

    INVALID = "invalid"  # bad signature, unknown row
    REPLACED = "replaced"  # a newer link was sent
    USED = "used"
    REVOKED = "revoked"
    EXPIRED = "expired"


def find_invitation(token: str) -> tuple[Invitation | None, str | None]:
    found = links.read_token(KIND, token)
    if found is None:
        return None, LinkState.INVALID
    invitation = invitation_by_id(found[0])
    if invitation is None:
        return None, LinkState.INVALID
    if not links.matches(found[1], invitation.token_hash):
        return invitation, LinkState.REPLACED
    state = invitation.state_at(utcnow())
    problem = {
        InvitationState.ACCEPTED: LinkState.USED,
        InvitationState.REVOKED: LinkState.REVOKED,
        InvitationState.EXPIRED: LinkState.EXPIRED,
    }.get(state)
    return invitation, problem


def accept(invitation: Invitation, password: str | None, full_name: str | None = None) -> User:
    """Accept a usable invitation: set the password of a new account, grant the role."""
    if invitation.state_at(utcnow()) is not InvitationState.PENDING:
        raise OperationError("Приглашение больше не действует.")
    user = invitation.user
    if not user.is_active:
        raise OperationError("Учётная запись отключена: обратитесь к администратору.")
    if not user.has_password:
        problems = password_problems(password or "", user.email)
        if problems:
            raise OperationError(" ".join(problems))
        user.set_password(password)
        if full_name and full_name.strip():
            user.full_name = full_name.strip()[:200]
    grant_role(
        user,
        invitation.tenant,
        invitation.role,
        municipalities=list(invitation.municipalities),
        organization=invitation.organization,
        actor=user,
    )
    invitation.state = InvitationState.ACCEPTED
    invitation.accepted_at = utcnow()
    record("invitation.accept", invitation, tenant_id=invitation.tenant_id, user=user)
    return user
