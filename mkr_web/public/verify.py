"""``/verify/<code>``: anyone checks a certificate by the code printed on it. The page shows
only non-personal facts chosen by the certificate's kind (operations.certificates.KINDS)."""

from __future__ import annotations

from flask import render_template

from ..access import public
from ..extensions import limiter
from ..operations.certificates import certificate_type
from ..queries.reference import certificate_by_code, tenant_by_id
from . import bp


@bp.route("/verify/<code>")
@limiter.limit("60 per minute")
@public
def verify(code: str):
    cert = certificate_by_code(code) if len(code) <= 64 else None
    if cert is None:
        # Said plainly, with what to do: a mistyped code is the usual cause.
        return render_template("public/verify_not_found.html"), 404
    ctype = certificate_type(cert.kind)
    return render_template(
        "public/verify.html",
        cert=cert,
        title=ctype.title,
        facts=ctype.facts(cert),
        is_valid=ctype.is_valid(cert),
        tenant=tenant_by_id(cert.tenant_id),
    )
