"""The outbox: e-mails that have not gone out (no SMTP configured, no worker reached, or the
worker gave up after its retries), with a resend button per e-mail."""

from __future__ import annotations

from flask import current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from workflows.roles import Role

from ..access import current_tenant, get_in_tenant_or_404, roles
from ..models import Notification
from ..operations.notifications import resend
from ..queries.notifications import outbox_of
from ..queries.reference import users_by_id
from ..web.commit import commit_or_refuse
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
        form=FlaskForm(),
    )


@bp.route("/outbox/<int:notification_id>/resend", methods=["POST"])
@roles(Role.ADMIN)
def outbox_resend(notification_id: int):
    notification = get_in_tenant_or_404(Notification, notification_id)
    if FlaskForm().validate_on_submit():
        commit_or_refuse(resend, notification, success=_("Письмо передано на отправку."))
    return redirect(url_for(".outbox"))
