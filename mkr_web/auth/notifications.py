"""Every user's notifications (any role), the unread badge in the navbar, and the user's
choice of channel per kind of event (in the app only, e-mail at once, or a daily digest)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import authenticated
from ..models import Channel
from ..operations.notification_kinds import GROUPS, configurable_kinds
from ..operations.notifications import mark_read, preferences_of, set_preferences, unread_count
from ..queries.notifications import notification_rows, notifications_of
from ..queries.reference import tenants_by_id
from ..web.commit import UNREAD_AT_LOAD, commit_or_refuse
from ..web.forms import Form
from ..web.loading import paginate_rows
from . import bp


@bp.app_context_processor
def _unread_badge():
    def unread() -> int:
        if not current_user.is_authenticated:
            return 0
        known = g.get(UNREAD_AT_LOAD)  # read with the session row, no commit since
        if known is not None:
            return known
        try:
            return unread_count(current_user.id)
        except sa.exc.SQLAlchemyError:  # the error page must render even when the DB fails
            return 0

    return {"unread_notifications": unread}


@bp.route("/notifications")
@authenticated
def notifications():
    page = paginate_rows(notifications_of(current_user.id), notification_rows)
    tenants = tenants_by_id(n.tenant_id for n in page.items)
    return render_template("auth/notifications.html", page=page, tenants=tenants, form=Form())


@bp.route("/notifications/read", methods=["POST"])
@authenticated
def notifications_read():
    form = Form()
    if form.validate_on_submit():
        commit_or_refuse(
            mark_read, current_user.id, success=_("Все уведомления отмечены как прочитанные.")
        )
    return redirect(url_for(".notifications"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@authenticated
def notification_settings():
    form = Form()
    kinds = configurable_kinds()
    if form.validate_on_submit():
        valid = {c.value for c in Channel}
        wanted = {
            k.key: Channel(request.form[k.key]) for k in kinds if request.form.get(k.key) in valid
        }
        outcome = commit_or_refuse(set_preferences, current_user.id, wanted)
        if outcome.ok:
            flash(
                _("Настройки уведомлений сохранены.") if outcome.result else _("Изменений нет."),
                "success",
            )
            return redirect(url_for(".notification_settings"))
    return render_template(
        "auth/notification_settings.html",
        form=form,
        kinds=kinds,
        groups=GROUPS,
        chosen=preferences_of(current_user.id),
        channels=list(Channel),
    )
