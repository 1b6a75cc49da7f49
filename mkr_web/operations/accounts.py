"""A user's own account and what admins may do to it: password reset by e-mail, password
change, removing a role, deactivation. Each of them ends the user's sessions at once.

A reset request answers the same whatever the address: the same page, the same database
work (a counted request and an audit entry for every address; a link and a mail only for an
active account), so neither the answer nor its timing tells whether an account exists.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from workflows.roles import Role

from ..errors import OperationError
from ..extensions import db
from ..models import Membership, PasswordReset, User
from ..models.base import utcnow
from ..navigation import external_url
from ..queries.accounts import reset_by_id
from ..queries.reference import user_by_email
from . import links, throttle
from .audit import record
from .notifications import send_account_mail
from .passwords import password_problems
from .sessions import end_sessions
from .text import _, ngettext

RESET = "reset"
# at most this many reset mails per account, and requests per address, an hour
RESET_ACCOUNT_RULE = throttle.Rule("reset-account", 3, timedelta(hours=1))
RESET_ADDRESS_RULE = throttle.Rule("reset-address", 20, timedelta(hours=1))


def login_failed(checks: list, user: User | None, reason: str) -> None:
    """Count a failed password (or second-factor) attempt and audit it (never the input)."""
    throttle.record_failure(checks)
    if reason == "second_factor":
        record("2fa.failed", user=user)
    else:
        record("auth.login.failed", user=user, reason=reason)


def request_reset(email: str, ip: str | None) -> None:
    """Mail a reset link if ``email`` is an active account (and not asked too often)."""
    email_n = User.normalize_email(email)[:254]
    checks = [
        (RESET_ACCOUNT_RULE, throttle.key_of(email_n)),
        (RESET_ADDRESS_RULE, throttle.key_of(ip or "")),
    ]
    allowed = throttle.wait_seconds(checks) == 0
    throttle.record_failure(checks)  # every request counts, sent or not
    user = user_by_email(email_n)
    if user is None or not user.is_active or not allowed:
        record("auth.reset.request", user=user, sent=False)
        return
    now = utcnow()
    secret, digest = links.new_secret()
    reset = PasswordReset(
        user_id=user.id,
        token_hash=digest,
        created_at=now,
        expires_at=now + timedelta(minutes=current_app.config["MKR_RESET_MINUTES"]),
    )
    db.session.add(reset)
    db.session.flush()
    send_account_mail(
        user.id,
        _("Восстановление пароля в МКР"),
        ngettext(
            "Кто-то (возможно, вы) попросил восстановить пароль к вашей учётной записи. "
            "Откройте ссылку, чтобы задать новый пароль; она действует %(num)d минуту и "
            "открывается один раз. Если вы не просили, ничего не делайте.",
            "Кто-то (возможно, вы) попросил восстановить пароль к вашей учётной записи. "
            "Откройте ссылку, чтобы задать новый пароль; она действует %(num)d минут и "
            "открывается один раз. Если вы не просили, ничего не делайте.",
            current_app.config["MKR_RESET_MINUTES"],
        ),
        external_url("auth.reset_password", token=links.make_token(RESET, reset.id, secret)),
    )
    record("auth.reset.request", reset, user=user, sent=True)


def find_reset(token: str) -> tuple[PasswordReset | None, str | None]:
    """The reset of a link and why it is unusable (``invalid``, ``used``, ``expired``)."""
    found = links.read_token(RESET, token)
    if found is None:
        return None, "invalid"
    reset = reset_by_id(found[0])
    if reset is None or not links.matches(found[1], reset.token_hash):
        return None, "invalid"
    if reset.used_at is not None:
        return reset, "used"
    if reset.expires_at <= utcnow():
        return reset, "expired"
    return reset, None


def complete_reset(reset: PasswordReset, password: str) -> User:
    """Set the new password, spend every open link of the user, end every session."""
    user = reset.user
    if reset.used_at is not None or reset.expires_at <= utcnow() or not user.is_active:
        raise OperationError("Ссылка больше не действует: запросите новую.")
    _set_password(user, password)
    now = utcnow()
    db.session.execute(
        sa.update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    ended = end_sessions(user.id, "password_reset")
    record("auth.reset.complete", reset, user=user, sessions_ended=ended)
    return user


def _set_password(user: User, password: str) -> None:
    problems = password_problems(password, user.email)
    if problems:
        raise OperationError(" ".join(problems))
    user.set_password(password)


def change_password(user: User, current: str, new: str) -> int:
    """Change one's own password; every session of the user ends (the caller opens a new
    one for the browser that asked). Returns how many sessions ended."""
    if not user.check_password(current or ""):
        raise OperationError("Текущий пароль указан неверно.")
    if current == new:
        raise OperationError("Новый пароль совпадает с текущим.")
    _set_password(user, new)
    ended = end_sessions(user.id, "password_change")
    record("auth.password.change", user, user=user, sessions_ended=ended)
    return ended


def log_out_everywhere(user: User) -> int:
    ended = end_sessions(user.id, "logout_all")
    record("auth.logout.all", user, user=user, sessions_ended=ended)
    return ended


def remove_role(membership: Membership, *, actor: User) -> None:
    """Take a role away; the user's sessions end at once (their pages were chosen by it)."""
    if membership.user_id == actor.id and membership.role is Role.ADMIN:
        raise OperationError("Нельзя снять роль администратора с самого себя.")
    user_id, tenant_id = membership.user_id, membership.tenant_id
    record(
        "membership.delete",
        membership,
        tenant_id=tenant_id,
        role=membership.role.value,
        member_id=user_id,
    )
    db.session.delete(membership)
    db.session.flush()
    end_sessions(user_id, "role_removed")


def set_active(user: User, active: bool, *, tenant_id: int | None, actor: User) -> bool:
    """Disable (or enable again) an account; disabling ends its sessions. Returns whether
    anything changed."""
    if user.id == actor.id:
        raise OperationError("Нельзя отключить собственную учётную запись.")
    if user.is_active_account == active:
        return False
    user.is_active_account = active
    if not active:
        end_sessions(user.id, "deactivated")
    record("user.activate" if active else "user.deactivate", user, tenant_id=tenant_id)
    return True


def may_tenant_admin_disable(user: User, tenant_id: int) -> bool:
    """A tenant admin disables only accounts that live in their tenant alone."""
    if user.is_platform_admin:
        return False
    other = db.session.execute(
        sa.select(Membership.id).where(
            Membership.user_id == user.id, Membership.tenant_id != tenant_id
        )
    ).first()
    return other is None
