"""``/verify/<code>``: anyone checks a certificate by the code printed on it. The page shows
only non-personal facts chosen by the certificate's kind (operations.certificates.KINDS)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template

from ..access import public
from ..extensions import db, limiter
from ..models import Certificate, Tenant
from ..operations.certificates import certificate_type
from . import bp


@bp.route("/verify/<code>")
@limiter.limit("60 per minute")
@public
def verify(code: str):
    if len(code) > 64:
        abort(404)
    cert = db.session.execute(
        sa.select(Certificate).where(Certificate.code == code)
    ).scalar_one_or_none()
    if cert is None:
        abort(404)
    ctype = certificate_type(cert.kind)
    return render_template(
        "public/verify.html",
        cert=cert,
        title=ctype.title,
        facts=ctype.facts(cert),
        is_valid=ctype.is_valid(cert),
        tenant=db.session.get(Tenant, cert.tenant_id),
    )
