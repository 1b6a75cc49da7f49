"""Numbered, verifiable certificates: one machinery for every kind.

A kind (:class:`CertificateKind`) is described once in :data:`KINDS`: its number prefix, its
PDF template, the template's context, and the non-personal facts the public page
``/verify/<code>`` shows. :func:`issue` numbers a certificate idempotently (one per kind and
subject: ``UniqueConstraint(kind, subject_id)``), :func:`render` stores its PDF, and the
Celery task ``mkr.certificate`` does both for a :class:`Job`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from workflows.lifecycle import ACTIVE_RESIDENT
from workflows.review import ReviewState

from ..documents.branding import document_look
from ..documents.formats import grammatical_gender
from ..documents.pdf import qr_data_uri, render_pdf
from ..documents.storage import save_bytes
from ..extensions import db
from ..models import (
    AccreditationApplication,
    Certificate,
    CertificateKind,
    Job,
    Organization,
    Person,
    StoredFile,
    Tenant,
)
from ..navigation import external_url
from . import numbering
from .audit import record
from .jobs import start_or_reuse_job


@dataclass(frozen=True)
class CertificateType:
    kind: CertificateKind
    prefix: str  # numbers: <prefix>-<year>-<NNN>
    title: str
    template: str
    context: Callable[[Certificate], dict]  # extra template context
    facts: Callable[[Certificate], list[tuple[str, str]]]  # public, non-personal
    is_valid: Callable[[Certificate], bool]
    filename: Callable[[Certificate], str]


# ---- accreditation ---------------------------------------------------------------------------


def _application(cert: Certificate) -> AccreditationApplication:
    return db.session.get(AccreditationApplication, cert.subject_id)


def _accreditation_context(cert: Certificate) -> dict:
    application = _application(cert)
    return {
        "application": application,
        "organizer": db.session.get(Organization, application.organizer_id),
        "event_title": application.event.title if application.event else application.title,
    }


def _accreditation_valid(cert: Certificate) -> bool:
    application = _application(cert)
    return (
        application.state is ReviewState.ACCREDITED
        and application.valid_to_year is not None
        and application.valid_to_year >= date.today().year
    )


def _accreditation_facts(cert: Certificate) -> list[tuple[str, str]]:
    ctx = _accreditation_context(cert)
    application = ctx["application"]
    return [
        ("Мероприятие", ctx["event_title"]),
        ("Организатор", ctx["organizer"].name),
        ("Тематическое направление", application.direction.title_ru),
        ("Срок аккредитации, годы", f"{application.valid_from_year}–{application.valid_to_year}"),
        ("Номер заявки", application.number),
    ]


# ---- resident -------------------------------------------------------------------------------


def _person(cert: Certificate) -> Person:
    return db.session.get(Person, cert.subject_id)


def initials(person: Person) -> str:
    """ "С. А. И.": enough to tell the paper matches, not a name to look up."""
    return " ".join(
        f"{part.strip()[0].upper()}."
        for part in (person.surname, person.name, person.patronymic)
        if part and part.strip()
    )


def monogram(name: str) -> str:
    """A text logo from the tenant's name: the capitals of its first words ("МКР")."""
    words = [
        w for w in name.replace("«", " ").replace("»", " ").split() if len(w) > 2 and w[0].isalpha()
    ]
    return "".join(w[0].upper() for w in words[:3]) or name[:3].upper()


def _resident_context(cert: Certificate) -> dict:
    person = _person(cert)
    tenant = db.session.get(Tenant, cert.tenant_id)
    return {
        "person": person,
        "full_name": person.full_name,
        "gender": grammatical_gender(person.patronymic),
        "basis": person.admission_basis or "",
        "admitted_on": person.admission_on,
        "monogram": monogram(tenant.name),
    }


def _resident_valid(cert: Certificate) -> bool:
    person = _person(cert)
    return person is not None and person.status in ACTIVE_RESIDENT


def _resident_facts(cert: Certificate) -> list[tuple[str, str]]:
    person = _person(cert)
    status = (
        "Действующий резидент" if _resident_valid(cert) else "Не является действующим резидентом"
    )
    return [
        ("Статус владельца", status),
        ("Инициалы владельца", initials(person) if person else "—"),
    ]


KINDS: dict[CertificateKind, CertificateType] = {
    CertificateKind.RESIDENT: CertificateType(
        kind=CertificateKind.RESIDENT,
        prefix="РЕЗ",
        title="Свидетельство резидента регионального банка данных",
        template="resident_certificate.html",
        context=_resident_context,
        facts=_resident_facts,
        is_valid=_resident_valid,
        filename=lambda cert: f"resident-{cert.number}.pdf",
    ),
    CertificateKind.ACCREDITATION: CertificateType(
        kind=CertificateKind.ACCREDITATION,
        prefix="АКР",
        title="Свидетельство об аккредитации мероприятия",
        template="accreditation_certificate.html",
        context=_accreditation_context,
        facts=_accreditation_facts,
        is_valid=_accreditation_valid,
        filename=lambda cert: f"accreditation-{cert.number}.pdf",
    ),
}


def certificate_type(kind: CertificateKind) -> CertificateType:
    return KINDS[CertificateKind(kind)]


# ---- issuing and rendering -------------------------------------------------------------------


def find(kind: CertificateKind, subject_id: int) -> Certificate | None:
    return db.session.execute(
        sa.select(Certificate).where(Certificate.kind == kind, Certificate.subject_id == subject_id)
    ).scalar_one_or_none()


def next_number(tenant_id: int, prefix: str, year: int) -> str:
    return numbering.next_number(Certificate, tenant_id, prefix, year)


def issue(
    tenant_id: int, kind: CertificateKind, subject_id: int, issued_on: date | None = None
) -> Certificate:
    """The certificate of ``(kind, subject_id)``, numbered on first call; later calls (a task
    run twice, two workers at once) return the same row and never take another number."""
    ctype = certificate_type(kind)
    issued_on = issued_on or date.today()
    for _attempt in range(5):
        cert = find(kind, subject_id)
        if cert is not None:
            return cert
        cert = Certificate(
            tenant_id=tenant_id,
            kind=kind,
            subject_id=subject_id,
            issued_on=issued_on,
            number=next_number(tenant_id, ctype.prefix, issued_on.year),
            code=secrets.token_urlsafe(24),
        )
        try:
            with db.session.begin_nested():
                db.session.add(cert)
        except sa.exc.IntegrityError:
            continue  # the same subject or number was taken meanwhile: look again
        record(
            "certificate.issue", cert, tenant_id=tenant_id, kind=kind.value, subject_id=subject_id
        )
        return cert
    raise RuntimeError("could not number the certificate")


def document(cert: Certificate, verify_url: str) -> tuple[str, dict, dict]:
    """What the certificate's PDF is made of: its template, the tenant's image files (for the
    PDF fetcher) and the template's context."""
    ctype = certificate_type(cert.kind)
    tenant = db.session.get(Tenant, cert.tenant_id)
    brand, files = document_look(tenant)
    context = {
        "brand": brand,
        "cert": cert,
        "tenant": tenant,
        "title": ctype.title,
        "verify_url": verify_url,
        "qr": qr_data_uri(verify_url),
        **ctype.context(cert),
    }
    return ctype.template, files, context


def render(cert: Certificate, verify_url: str) -> StoredFile:
    """Render the certificate's PDF and attach it (replacing an earlier file)."""
    ctype = certificate_type(cert.kind)
    template, files, context = document(cert, verify_url)
    pdf = render_pdf(template, files=files, **context)
    stored = save_bytes(cert.tenant_id, "certificate", ctype.filename(cert), pdf, "application/pdf")
    cert.file = stored
    db.session.flush()
    record("certificate.render", cert, tenant_id=cert.tenant_id, file_id=stored.id)
    return stored


def verify_url(code: str) -> str:
    """The public check page of a certificate, under ``MKR_BASE_URL`` (never the request's
    Host header: a client controls it, and the PDF is cached for everyone)."""
    return external_url("public.verify", code=code)


def issue_and_render(job, progress) -> StoredFile:
    """A job's work (see :func:`.jobs.run_job`): ``job.params`` = kind, subject_id."""
    params = job.params or {}
    kind = CertificateKind(params["kind"])
    cert = issue(job.tenant_id, kind, int(params["subject_id"]))
    db.session.commit()  # the number is kept even if rendering fails
    progress(30, "Номер присвоен")
    if cert.file is None or params.get("force"):
        first = cert.file is None
        render(cert, verify_url(cert.code))
        if first:
            from .certificate_notices import certificate_ready

            certificate_ready(cert)
        db.session.commit()
    progress(90, "PDF готов")
    return cert.file


CERTIFICATE_JOB = "certificate"
RENDER_TASK = "mkr.certificates.render"


def queue_certificate(
    tenant_id: int, kind: CertificateKind, subject_id: int, *, user_id: int | None
) -> Job:
    """Number and render a certificate in a worker (:func:`issue_and_render`); reuses this
    user's unfinished job for it (a double click), but not a stuck one."""
    return start_or_reuse_job(
        tenant_id,
        CERTIFICATE_JOB,
        task=RENDER_TASK,
        key=f"{kind.value}:{subject_id}",
        user_id=user_id,
        params={"kind": kind.value, "subject_id": subject_id},
    )
