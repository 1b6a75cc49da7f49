"""Admin: Resident certificates — a batch's certificates rendered by one job into a ZIP (with
its progress page), and one person's certificate (rendered on first download if missing)."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from workflows.roles import Role

from ..access import get_in_tenant_or_404, roles
from ..models import AdmissionBatch, CertificateKind, Person
from ..operations import resident_certificates
from ..web.commit import commit_or_refuse
from ..web.files import certificate_response
from . import bp


@bp.route("/admission/batches/<int:batch_id>/certificates", methods=["POST"])
@roles(Role.ADMIN)
def admission_certificates(batch_id: int):
    batch = get_in_tenant_or_404(AdmissionBatch, batch_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    outcome = commit_or_refuse(
        resident_certificates.start_batch_job,
        batch,
        user_id=current_user.id,
        base_url=request.url_root,
    )
    if not outcome.ok:
        return redirect(url_for(".admission_batch", batch_id=batch.id))
    return redirect(url_for("auth.job", job_id=outcome.result.id))


@bp.route("/people/<int:person_id>/certificate")
@roles(Role.ADMIN)
def person_certificate(person_id: int):
    person = get_in_tenant_or_404(Person, person_id)
    if person.admission_on is None:
        abort(404)  # never admitted: no Resident certificate
    return certificate_response(person.tenant_id, CertificateKind.RESIDENT, person.id)
