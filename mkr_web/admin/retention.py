"""Admin: the retention schedule's proposed batch (persons past retention), its approval in
one batch (anonymisation, destruction act and log extract), and the list of acts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflows.roles import Role

from ..access import current_tenant, get_in_tenant_or_404, roles
from ..models import DestructionBatch
from ..operations.audit import record
from ..operations.privacy import unlink_files
from ..operations.retention import approve_destruction, propose_retention
from ..queries.privacy import destruction_batches, open_destruction, persons_by_ids
from ..web.commit import commit_or_refuse
from ..web.confirm import confirmation_page
from ..web.files import send_stored
from ..web.forms import Form
from ..web.loading import paginate
from . import bp


@bp.route("/retention")
@roles(Role.ADMIN)
def retention():
    tenant = current_tenant()
    proposed = open_destruction(tenant.id)
    persons = persons_by_ids(tenant.id, proposed.person_ids) if proposed else []
    page = paginate(destruction_batches(tenant.id))
    return render_template(
        "admin/retention.html",
        proposed=proposed,
        persons=persons,
        page=page,
        years=tenant.setting("retention_years"),
        form=Form(),
    )


@bp.route("/retention/propose", methods=["POST"])
@roles(Role.ADMIN)
def retention_propose():
    if Form().validate_on_submit():
        outcome = commit_or_refuse(propose_retention, current_tenant().id)
        if outcome.ok and outcome.result is None:
            flash(_("Людей с истёкшим сроком хранения нет."), "info")
    return redirect(url_for(".retention"))


@bp.route("/retention/<int:destruction_id>/approve", methods=["POST"])
@roles(Role.ADMIN)
def retention_approve(destruction_id: int):
    batch = get_in_tenant_or_404(DestructionBatch, destruction_id)
    if not Form().validate_on_submit():
        return redirect(url_for(".retention"))
    ask = confirmation_page(
        _(
            "Обезличить данные %(n)s чел. по списку %(number)s? Это необратимо.",
            n=len(batch.person_ids),
            number=batch.number,
        ),
        back=url_for(".retention"),
    )
    if ask is not None:
        return ask
    outcome = commit_or_refuse(
        approve_destruction,
        batch,
        user=current_user,
        success=_("Данные обезличены, акт составлен."),
    )
    if outcome.ok:
        unlink_files(outcome.result[1])
    return redirect(url_for(".retention"))


def _file_of(destruction_id: int, attr: str):
    batch = get_in_tenant_or_404(DestructionBatch, destruction_id)
    stored = getattr(batch, attr)
    if stored is None:
        abort(404)
    commit_or_refuse(record, "retention.document_download", batch, document=attr)
    return send_stored(stored)


@bp.route("/retention/<int:destruction_id>/act.pdf")
@roles(Role.ADMIN)
def retention_act(destruction_id: int):
    return _file_of(destruction_id, "act_file")


@bp.route("/retention/<int:destruction_id>/log.xlsx")
@roles(Role.ADMIN)
def retention_log(destruction_id: int):
    return _file_of(destruction_id, "log_file")
