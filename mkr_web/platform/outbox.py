"""The platform admin's outbox of account mails (invitations, password resets) that were not
e-mailed: without SMTP the server's operator hands these links over by hand. No tenant admin
sees them (each opens an account)."""

from __future__ import annotations

from flask import current_app, render_template

from workflows.roles import Role

from ..access import roles
from ..queries.accounts import unsent_account_mails
from ..queries.reference import users_by_id
from ..web.loading import paginate
from . import bp


@bp.route("/outbox")
@roles(Role.PLATFORM_ADMIN)
def outbox():
    page = paginate(unsent_account_mails())
    users = users_by_id({n.user_id for n in page.items})
    return render_template(
        "platform/outbox.html",
        page=page,
        emails={i: u.email for i, u in users.items()},
        smtp=bool(current_app.config.get("MAIL_SERVER")),
    )
