"""The outbox: notifications not e-mailed (no SMTP configured, or sending failed)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, render_template

from workflows.roles import Role

from ..access import current_tenant, roles
from ..extensions import db
from ..models import Notification, User
from . import bp


@bp.route("/outbox")
@roles(Role.ADMIN)
def outbox():
    tenant = current_tenant()
    page = db.paginate(
        sa.select(Notification)
        .where(Notification.tenant_id == tenant.id, Notification.emailed_at.is_(None))
        .order_by(Notification.id.desc()),
        per_page=50,
        error_out=False,
    )
    user_ids = {n.user_id for n in page.items}
    users = (
        {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(user_ids)))}
        if user_ids
        else {}
    )
    return render_template(
        "admin/outbox.html",
        page=page,
        users=users,
        smtp=bool(current_app.config.get("MAIL_SERVER")),
    )
