"""The second factor: TOTP (RFC 6238, pyotp) with one-time recovery codes.

Enrolment stores a fresh secret, shows it as a QR code, and turns the factor on only when the
user types a valid code; then ten recovery codes are shown once and kept as digests. A code
is accepted once (the last used time step is remembered). A tenant may require the factor
for the roles that read personal data (admin, coordinator) after a grace period. An admin
can reset a user's factor; every event is audited (never a code or the secret).
"""

from __future__ import annotations

import base64
import hashlib
import io
import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pyotp
import qrcode
import qrcode.image.svg
import sqlalchemy as sa

from workflows.roles import Role

from ..documents.formats import counted
from ..errors import OperationError
from ..extensions import db
from ..models import Membership, RecoveryCode, Tenant, User
from ..models.base import utcnow
from ..queries.accounts import unused_recovery_code
from .audit import record

ISSUER = "MKR"
RECOVERY_CODES = 10
REQUIRED_ROLES = (Role.ADMIN, Role.COORDINATOR)  # the roles that read personal data
DEFAULT_POLICY = {"required": False, "grace_days": 14, "since": None}
MAX_GRACE_DAYS = 365


def _digest(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def begin_enrolment(user: User) -> str:
    """A new secret for a user without the factor (replaces an unconfirmed one)."""
    if user.has_two_factor:
        raise OperationError("Двухфакторная аутентификация уже включена.")
    user.totp_secret = pyotp.random_base32()
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(text: str) -> str:
    """The QR code of ``text`` as an SVG data URI (the CSP allows ``data:`` images)."""
    img = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buf = io.BytesIO()
    img.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


def _accept_totp(user: User, code: str, now: float | None = None) -> bool:
    """A valid code of the current step (±1 for clock drift), never one used before."""
    if not user.totp_secret:
        return False
    code = _normalise(code)
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = time.time() if now is None else now
    step = int(now // totp.interval)
    for candidate in (step, step - 1, step + 1):
        if candidate <= (user.totp_last_step or -1):
            continue
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            user.totp_last_step = candidate
            return True
    return False


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn the factor on with a first valid code; returns the recovery codes (shown once)."""
    if user.has_two_factor:
        raise OperationError("Двухфакторная аутентификация уже включена.")
    if not _accept_totp(user, code):
        raise OperationError("Код не подошёл. Проверьте время на телефоне и введите новый код.")
    user.totp_enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    record("2fa.enable", user, user=user)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(8)).decode().lower().rstrip("=")[:12]
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}"
        codes.append(code)
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_digest(code)))
    db.session.flush()
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    if not user.has_two_factor:
        raise OperationError("Двухфакторная аутентификация не включена.")
    codes = _new_recovery_codes(user)
    record("2fa.recovery_codes", user, user=user)
    return codes


def verify_second_factor(user: User, code: str) -> str | None:
    """``"totp"`` or ``"recovery"`` when ``code`` passes (a recovery code is spent), else
    None. The caller counts failures (they are rate-limited like passwords)."""
    if not user.has_two_factor:
        return None
    if _accept_totp(user, code):
        return "totp"
    row = unused_recovery_code(user.id, _digest(code))
    if row is None:
        return None
    row.used_at = utcnow()
    record("2fa.recovery_used", user, user=user)
    return "recovery"


def disable(user: User, *, actor: User, tenant_id: int | None = None) -> None:
    """Remove the factor: by the user themself, or reset by an admin (audited as such)."""
    if not user.has_two_factor and not user.totp_secret:
        raise OperationError("Двухфакторная аутентификация не включена.")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    if actor.id == user.id:
        record("2fa.disable", user, user=user)
    else:
        record("2fa.reset", user, tenant_id=tenant_id, member_id=user.id)


# --- the tenant's requirement -------------------------------------------------------------


def policy_of(tenant: Tenant) -> dict:
    return {**DEFAULT_POLICY, **((tenant.settings or {}).get("two_factor") or {})}


def update_policy(tenant: Tenant, required: bool, grace_days: int) -> bool:
    if not 0 <= grace_days <= MAX_GRACE_DAYS:
        raise OperationError(f"Отсрочка: от 0 до {counted(MAX_GRACE_DAYS, 'дня', 'дней', 'дней')}.")
    current = policy_of(tenant)
    if current["required"] == required and current["grace_days"] == grace_days:
        return False
    since = current["since"] if current["required"] and required else None
    if required and since is None:
        since = date.today().isoformat()
    settings = dict(tenant.settings or {})
    settings["two_factor"] = {"required": required, "grace_days": grace_days, "since": since}
    tenant.settings = settings
    record(
        "tenant.two_factor.update",
        tenant,
        tenant_id=tenant.id,
        required=required,
        grace_days=grace_days,
    )
    return True


@dataclass(frozen=True)
class Requirement:
    required: bool
    deadline: datetime | None = None  # enrol before this; None: not required

    def overdue(self, now: datetime) -> bool:
        return self.required and self.deadline is not None and now >= self.deadline


def required_by_tenant(user: User) -> bool:
    """Whether a tenant of the user requires the factor for one of the user's roles."""
    return _deadlines(user) != []


def requirement_for(user: User) -> Requirement:
    """Whether a tenant requires the factor of this user, and by when (the earliest)."""
    if user.has_two_factor:
        return Requirement(False)
    deadlines = _deadlines(user)
    if not deadlines:
        return Requirement(False)
    return Requirement(True, min(deadlines))


def _deadlines(user: User) -> list[datetime]:
    rows = db.session.execute(
        sa.select(Membership.created_at, Tenant)
        .join(Tenant, Tenant.id == Membership.tenant_id)
        .where(Membership.user_id == user.id, Membership.role.in_(REQUIRED_ROLES))
    ).all()
    deadlines = []
    for created_at, tenant in rows:
        policy = policy_of(tenant)
        if not policy["required"]:
            continue
        since = datetime.fromisoformat(policy["since"]) if policy["since"] else created_at
        start = max(since, created_at)
        deadlines.append(start + timedelta(days=int(policy["grace_days"])))
    return deadlines
