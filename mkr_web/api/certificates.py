"""Certificates of the token's scope, and the public verification by code (the same
non-personal facts as ``/verify/<code>``; no token needed)."""

from __future__ import annotations

from flask import abort

from workflows.roles import Role

from ..access import current_membership
from ..extensions import limiter
from ..models import Certificate, CertificateKind
from ..operations.certificates import certificate_type, verify_url
from ..queries.certificates import certificates_for
from ..queries.reference import certificate_by_code
from ..web.loading import by_id_or_404, keyset
from . import schemas as s
from .core import decode_cursor, endpoint, json_response, page_response

ROLES = (Role.ADMIN, Role.COORDINATOR, Role.ORGANIZER)
SCOPE = "certificates:read"


def dump_certificate(c: Certificate) -> dict:
    return s.CertificateSchema().dump(
        {
            "id": c.id,
            "kind": c.kind.value,
            "number": c.number,
            "code": c.code,
            "issued_on": c.issued_on,
            "subject_id": c.subject_id,
            "is_valid": bool(certificate_type(c.kind).is_valid(c)),
            "verify_url": verify_url(c.code),
        }
    )


@endpoint(
    "/certificates",
    summary="Certificates of the token's scope (cursor pages)",
    roles=ROLES,
    scope=SCOPE,
    query=s.CertificateQuery,
    response=s.page_of(s.CertificateSchema, "CertificatePage"),
)
def certificates(args):
    q = certificates_for(current_membership())
    if args["kind"]:
        q = q.where(Certificate.kind == CertificateKind(args["kind"]))
    rows = keyset(q, Certificate, decode_cursor(args["cursor"]), args["limit"])
    return page_response(rows, dump_certificate, args["limit"])


@endpoint(
    "/certificates/<int:certificate_id>",
    summary="One certificate of the token's scope",
    roles=ROLES,
    scope=SCOPE,
    response=s.CertificateSchema,
)
def certificate(certificate_id: int):
    cert = by_id_or_404(certificates_for(current_membership()), Certificate, certificate_id)
    return json_response(dump_certificate(cert))


@endpoint(
    "/verify/<code>",
    summary="Verify a certificate by the code printed on it (public, no token)",
    response=s.VerificationSchema,
    public=True,
)
@limiter.limit("60 per minute")
def verify(code: str):
    cert = certificate_by_code(code) if len(code) <= 64 else None
    if cert is None:
        abort(404)
    ctype = certificate_type(cert.kind)
    return json_response(
        s.VerificationSchema().dump(
            {
                "number": cert.number,
                "kind": cert.kind.value,
                "title": ctype.title,
                "issued_on": cert.issued_on,
                "is_valid": bool(ctype.is_valid(cert)),
                "facts": [{"label": k, "value": v} for k, v in ctype.facts(cert)],
            }
        )
    )
