"""The outbox: notifications not e-mailed (no SMTP configured, or sending failed)."""

from __future__ import annotations

from flask import current_app, render_template

from workflows.roles import Role

from ..access import current_tenant, roles
from ..queries.notifications import outbox_of
from ..queries.reference import users_by_id
from ..web.loading import paginate
from . import bp


@bp.route("/outbox")
@roles(Role.ADMIN)
def outbox():
    page = paginate(outbox_of(current_tenant().id))
    users = users_by_id(n.user_id for n in page.items)
    return render_template(
        "admin/outbox.html",
        page=page,
        users=users,
        smtp=bool(current_app.config.get("MAIL_SERVER")),
    )
