"""Every user's notifications (any role), and the unread badge in the navbar."""

from __future__ import annotations

import sqlalchemy as sa
from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ..access import authenticated
from ..extensions import db
from ..models import Notification, Tenant
from ..operations.notifications import mark_read, unread_count
from ..web.commit import commit_or_refuse
from . import bp


@bp.app_context_processor
def _unread_badge():
    def unread() -> int:
        if not current_user.is_authenticated:
            return 0
        try:
            return unread_count(current_user.id)
        except sa.exc.SQLAlchemyError:  # the error page must render even when the DB fails
            return 0

    return {"unread_notifications": unread}


@bp.route("/notifications")
@authenticated
def notifications():
    page = db.paginate(
        sa.select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.id.desc()),
        per_page=50,
        error_out=False,
    )
    tenant_ids = {n.tenant_id for n in page.items}
    tenants = (
        {t.id: t for t in db.session.scalars(sa.select(Tenant).where(Tenant.id.in_(tenant_ids)))}
        if tenant_ids
        else {}
    )
    return render_template("auth/notifications.html", page=page, tenants=tenants, form=FlaskForm())


@bp.route("/notifications/read", methods=["POST"])
@authenticated
def notifications_read():
    form = FlaskForm()
    if form.validate_on_submit():
        commit_or_refuse(
            mark_read, current_user.id, success=_("Все уведомления отмечены как прочитанные.")
        )
    return redirect(url_for(".notifications"))
