"""Helpers for the account tests: saved cookies, mails in the outbox, TOTP codes."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pyotp
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import Notification, User


def saved_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def replay(app, cookie: str, url: str):
    """A fresh client (another browser) that sends a saved session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get(url)


def account_mails(email: str) -> list[Notification]:
    """The account mails (no tenant) of an address, oldest first."""
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Notification)
            .join(User, User.id == Notification.user_id)
            .where(User.email == email, Notification.tenant_id.is_(None))
            .order_by(Notification.id)
        )
    )


def last_link_path(email: str) -> str:
    """The path of the link in the newest account mail to ``email``."""
    mails = account_mails(email)
    assert mails, f"no account mail to {email}"
    return urlsplit(mails[-1].link).path


def totp_now(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)
