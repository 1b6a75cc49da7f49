"""The platform admin's outbox of account mails (invitations, password resets) that were not
e-mailed: without SMTP the server's operator hands these links over by hand. No tenant admin
sees them (each opens an account)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, render_template

from workflows.roles import Role

from ..access import roles
from ..extensions import db
from ..models import Notification, User
from . import bp


@bp.route("/outbox")
@roles(Role.PLATFORM_ADMIN)
def outbox():
    page = db.paginate(
        sa.select(Notification)
        .where(Notification.tenant_id.is_(None), Notification.emailed_at.is_(None))
        .order_by(Notification.id.desc()),
        per_page=50,
        error_out=False,
    )
    ids = {n.user_id for n in page.items}
    emails = (
        dict(db.session.execute(sa.select(User.id, User.email).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    return render_template(
        "platform/outbox.html",
        page=page,
        emails=emails,
        smtp=bool(current_app.config.get("MAIL_SERVER")),
    )
