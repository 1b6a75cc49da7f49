"""The registry of notification kinds: every event the platform tells someone about.

Each :class:`Kind` is one row of the notification matrix (``docs/NOTIFICATIONS.md``, a test
checks the two agree): its key, who is told, the default subject and body (Jinja, rendered in a
sandbox; a tenant may override both), the placeholders with an example value each, and how to
build those placeholders from the latest real object of a tenant (the template editor's
preview). Adding an event is one entry here plus the :func:`..notifications.emit` call at the
step that raises it.

Contexts hold plain strings and numbers only, never ORM objects (a tenant's template cannot
reach the database), and never a person's name: notifications go out by e-mail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import (
    AccreditationApplication,
    AdmissionBatch,
    AdmissionCandidate,
    Certificate,
    CertificateKind,
    Channel,
    Nomination,
    ReviewAssignment,
)
from ..queries.review_subjects import subject_spec


@dataclass(frozen=True)
class Kind:
    key: str
    title: str  # lazy: the preferences and template pages
    step: str  # the matrix row: what happened
    told: str  # the matrix row: who is told
    subject: str  # default Jinja template
    body: str
    example: dict[str, str | int]  # every placeholder with an example value
    sample: Callable[[int], dict | None] = field(default=lambda tenant_id: None)
    default: Channel = Channel.EMAIL
    configurable: bool = True  # account mails always go out at once
    group: str = ""


def fmt_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "—"


# ---- contexts of real objects ------------------------------------------------------------------


def application_context(application: AccreditationApplication) -> dict:
    return {
        "number": application.number,
        "title": application.title,
        "organizer": application.organizer.name if application.organizer else "",
    }


def nomination_context(nomination: Nomination) -> dict:
    return {
        "number": nomination.number,
        "kind": nomination.kind.title_ru,
        "municipality": nomination.municipality.name if nomination.municipality else "",
    }


def subject_context(subject_type, subject) -> dict:
    """A reviewed item (application or nomination), named by number and kind."""
    spec = subject_spec(subject_type)
    return {"item": spec.label(subject), "number": subject.number}


def assignment_context(assignment: ReviewAssignment, subject=None) -> dict:
    spec = subject_spec(assignment.subject_type)
    subject = subject or db.session.get(spec.model, assignment.subject_id)
    return {
        "item": spec.label(subject),
        "number": subject.number,
        "due_on": fmt_date(assignment.due_on),
        "expert": assignment.expert.full_name or assignment.expert.email,
    }


def batch_context(batch: AdmissionBatch, count: int | None = None) -> dict:
    edition = batch.edition
    if count is None:
        count = len(batch.candidates)
    return {
        "number": batch.number,
        "event": f"{edition.title or edition.event.title} {edition.year}",
        "count": count,
    }


def _subject_of(assignment: ReviewAssignment):
    return db.session.get(subject_spec(assignment.subject_type).model, assignment.subject_id)


def _latest(model, tenant_id: int, *where):
    return db.session.scalars(
        sa.select(model).where(model.tenant_id == tenant_id, *where).order_by(model.id.desc())
    ).first()


@dataclass(frozen=True)
class Source:
    """Where a kind's placeholders come from: an example of each, and the object whose
    context fills them for the template editor's preview (the tenant's latest ``model``
    ``where`` …; none: the example). ``extra``: placeholders the object does not hold, with
    the value both the example and the preview show."""

    example: dict[str, str | int]
    context: Callable[[Any], dict] | None = None
    model: type | None = None
    where: tuple = ()
    extra: dict[str, str | int] = field(default_factory=dict)

    def plus(self, **extra: str | int) -> Source:
        return replace(self, example={**self.example, **extra}, extra={**self.extra, **extra})

    def sample(self, tenant_id: int) -> dict | None:
        if self.model is None:
            return dict(self.example)
        obj = _latest(self.model, tenant_id, *self.where)
        return None if obj is None else {**self.context(obj), **self.extra}


def _group(group: str, *rows: tuple) -> list[Kind]:
    """One section of the registry; a row: key, title, step, told, subject, body, source."""
    return [
        Kind(key, title, step, told, subject, body, source.example, source.sample, group=group)
        for key, title, step, told, subject, body, source in rows
    ]


# ---- sources, with their examples ----------------------------------------------------------------

APPLICATION = Source(
    {"number": "ЗАЯВ-2020-003", "title": "Региональная олимпиада", "organizer": "ТГУ"},
    application_context,
    AccreditationApplication,
)
NOMINATION = Source(
    {"number": "ВЫДВ-2020-012", "kind": "Включение в банк", "municipality": "Томский район"},
    nomination_context,
    Nomination,
)
ITEM = Source(
    {"item": "ЗАЯВ-2020-003 · Региональная олимпиада", "number": "ЗАЯВ-2020-003"},
    lambda a: subject_context(a.subject_type, _subject_of(a)),
    ReviewAssignment,
)
ASSIGNMENT = Source(
    {**ITEM.example, "due_on": "15.03.2020", "expert": "Иванова Мария"},
    assignment_context,
    ReviewAssignment,
)
BATCH = Source(
    {"number": "ПРОТ-2020-004", "event": "Олимпиада школьников 2020", "count": 30},
    batch_context,
    AdmissionBatch,
)
CANDIDATE = Source(
    {**BATCH.example, "row": 7, "reason": "Неверная дата рождения."},
    lambda c: {**batch_context(c.batch), "row": c.row_no, "reason": c.reason or ""},
    AdmissionCandidate,
)
RESIDENT_CERTIFICATE = Source(
    {"certificate": "РЗ-2020-015"},
    lambda c: {"certificate": c.number},
    Certificate,
    (Certificate.kind == CertificateKind.RESIDENT,),
)
CONSENTS = Source({"count": 3, "days": 30, "first_end": "15.03.2020"})
COMMENT = {"comment": "Уточните положение о мероприятии."}
EXPIRING = {"valid_until": "31.12.2020", "days_left": 60}
DUE = {"due_on": "15.03.2020"}

# ---- the registry --------------------------------------------------------------------------------

_KINDS = [
    *_group(
        "accreditation",
        (
            "accreditation.submitted",
            _l("Заявка на аккредитацию подана"),
            "accreditation application submitted",
            "admins",
            "{{ number }}: заявка на аккредитацию подана",
            "Организация «{{ organizer }}» подала заявку «{{ title }}». Назначьте экспертов.",
            APPLICATION,
        ),
    ),
    *_group(
        "review",
        (
            "review.assigned",
            _l("Назначена экспертиза"),
            "experts assigned (application or nomination)",
            "each expert",
            "Назначена экспертиза: {{ item }}",
            "Оцените заявку по критериям экспертизы до {{ due_on }}.",
            ASSIGNMENT,
        ),
        (
            "review.due_soon",
            _l("Срок экспертизы через 3 дня"),
            "review due in 3 days",
            "the expert",
            "Срок экспертизы {{ due_on }}: {{ item }}",
            "До окончания срока экспертизы осталось 3 дня. Отправьте оценку до {{ due_on }}.",
            ASSIGNMENT,
        ),
        (
            "review.overdue",
            _l("Экспертиза просрочена (эксперту)"),
            "review overdue",
            "the expert",
            "Экспертиза просрочена: {{ item }}",
            "Срок экспертизы истёк {{ due_on }}. Отправьте оценку как можно скорее.",
            ASSIGNMENT,
        ),
        (
            "review.overdue_admin",
            _l("Экспертиза просрочена (оператору)"),
            "review overdue",
            "admins",
            "Экспертиза просрочена: {{ item }}",
            "Эксперт {{ expert }} не отправил оценку в срок ({{ due_on }}). Продлите срок или "
            "назначьте другого эксперта.",
            ASSIGNMENT,
        ),
        (
            "review.conflict",
            _l("Эксперт заявил о конфликте интересов"),
            "an expert declares a conflict of interest",
            "admins",
            "Конфликт интересов: {{ item }}",
            "Эксперт заявил о конфликте интересов. Назначьте другого эксперта.",
            ITEM,
        ),
        (
            "review.completed",
            _l("Все оценки получены"),
            'all scores in ("reviewed")',
            "admins",
            "Экспертиза завершена: {{ item }}",
            "Все эксперты отправили оценки; заявка ждёт решения.",
            ITEM,
        ),
    ),
    *_group(
        "accreditation",
        (
            "accreditation.accredited",
            _l("Мероприятие аккредитовано"),
            "accredited",
            "the organiser",
            "{{ number }}: мероприятие аккредитовано",
            "Срок аккредитации: {{ valid_from }}–{{ valid_to }} гг. Свидетельство доступно в "
            "кабинете.",
            APPLICATION.plus(valid_from=2020, valid_to=2022),
        ),
        (
            "accreditation.rejected",
            _l("В аккредитации отказано"),
            "rejected (accreditation)",
            "the organiser",
            "{{ number }}: в аккредитации отказано",
            "{{ comment }}",
            APPLICATION.plus(**COMMENT),
        ),
        (
            "accreditation.returned",
            _l("Заявка на аккредитацию возвращена"),
            "returned (accreditation)",
            "the organiser",
            "{{ number }}: заявка возвращена на доработку",
            "{{ comment }}",
            APPLICATION.plus(**COMMENT),
        ),
        (
            "accreditation.certificate_ready",
            _l("Свидетельство об аккредитации готово"),
            "certificate ready (accreditation)",
            "the organiser",
            "{{ number }}: свидетельство об аккредитации готово",
            "Свидетельство {{ certificate }} можно скачать на странице заявки.",
            APPLICATION.plus(certificate="АК-2020-001"),
        ),
        (
            "accreditation.expiring",
            _l("Срок аккредитации скоро истекает"),
            "accreditation expires in 60 days",
            "the organiser",
            "{{ number }}: срок аккредитации скоро истекает",
            "Аккредитация действует до {{ valid_until }} (осталось дней: {{ days_left }}). "
            "Подайте новую заявку заранее.",
            APPLICATION.plus(**EXPIRING),
        ),
        (
            "accreditation.expiring_admin",
            _l("Срок аккредитации скоро истекает (оператору)"),
            "accreditation expires in 60 days",
            "admins",
            "{{ number }}: срок аккредитации истекает {{ valid_until }}",
            "Аккредитация мероприятия «{{ title }}» ({{ organizer }}) действует до "
            "{{ valid_until }} (осталось дней: {{ days_left }}).",
            APPLICATION.plus(**EXPIRING),
        ),
        (
            "accreditation.expired",
            _l("Срок аккредитации истёк"),
            "accreditation expired",
            "the organiser",
            "{{ number }}: срок аккредитации истёк",
            "Чтобы продолжить, подайте новую заявку на аккредитацию.",
            APPLICATION,
        ),
    ),
    *_group(
        "admission",
        (
            "admission.arrived",
            _l("Кандидаты переданы на подтверждение"),
            "results protocol committed",
            "each coordinator of the candidates' municipalities (admins where none)",
            "{{ number }}: кандидаты на подтверждение ({{ count }})",
            "По протоколу «{{ event }}» вам переданы кандидаты: {{ count }}. Подтвердите данные "
            "и согласия до {{ due_on }}.",
            BATCH.plus(**DUE),
        ),
        (
            "admission.confirmation_due_soon",
            _l("Срок подтверждения кандидатов через 3 дня"),
            "confirmation due in 3 days",
            "the coordinator (admins where none)",
            "{{ number }}: срок подтверждения {{ due_on }}",
            "Кандидатов ждут подтверждения: {{ count }}. Срок — {{ due_on }}.",
            BATCH.plus(**DUE),
        ),
        (
            "admission.confirmation_overdue",
            _l("Подтверждение кандидатов просрочено"),
            "confirmation overdue",
            "the coordinator and admins",
            "{{ number }}: подтверждение просрочено",
            "Кандидатов не подтверждено в срок ({{ due_on }}): {{ count }}.",
            BATCH.plus(**DUE),
        ),
        (
            "admission.confirmed_all",
            _l("Все кандидаты протокола подтверждены"),
            "all candidates of a batch confirmed",
            "admins",
            "{{ number }}: все кандидаты подтверждены",
            "Все кандидаты протокола «{{ event }}» проверены ({{ count }}); протокол ждёт решения.",
            BATCH,
        ),
        (
            "admission.returned",
            _l("Строка протокола возвращена"),
            "candidate returned",
            "the organiser",
            "{{ number }}: строка {{ row }} возвращена на исправление",
            "{{ reason }}",
            CANDIDATE,
        ),
        (
            "admission.admitted",
            _l("Кандидаты включены в банк"),
            "admitted",
            "the organiser and the coordinator",
            "{{ number }}: включено в банк — {{ count }}",
            "По протоколу «{{ event }}» включены в банк кандидаты: {{ count }}.",
            BATCH,
        ),
        (
            "admission.rejected",
            _l("Кандидаты отклонены"),
            "rejected (admission)",
            "the organiser and the coordinator",
            "{{ number }}: отклонено — {{ count }}",
            "По протоколу «{{ event }}» отклонены кандидаты: {{ count }}. Причина: {{ reason }}",
            BATCH.plus(reason="Нет согласия на обработку данных."),
        ),
        (
            "admission.certificates_ready",
            _l("Свидетельства резидентов готовы"),
            "certificates ready (admission)",
            "the organiser and the coordinator",
            "{{ number }}: свидетельства резидентов готовы ({{ count }})",
            "Свидетельства резидентов по протоколу «{{ event }}» готовы: {{ count }}.",
            BATCH,
        ),
        (
            "certificate.resident_ready",
            _l("Свидетельство резидента готово"),
            "certificate ready (one Resident)",
            "the organiser of the protocol, or the coordinator who nominated",
            "Свидетельство резидента {{ certificate }} готово",
            "Свидетельство {{ certificate }} можно скачать в карточке резидента.",
            RESIDENT_CERTIFICATE,
        ),
    ),
    *_group(
        "nominations",
        (
            "nomination.submitted",
            _l("Выдвижение подано"),
            "nomination submitted",
            "admins",
            "{{ number }}: выдвижение подано",
            "{{ kind }} ({{ municipality }}). Назначьте экспертов.",
            NOMINATION,
        ),
        (
            "nomination.approved",
            _l("Выдвижение одобрено"),
            "approved (nomination)",
            "the coordinator",
            "{{ number }}: выдвижение одобрено",
            "{{ kind }}",
            NOMINATION,
        ),
        (
            "nomination.rejected",
            _l("В выдвижении отказано"),
            "rejected (nomination)",
            "the coordinator",
            "{{ number }}: в выдвижении отказано",
            "{{ comment }}",
            NOMINATION.plus(**COMMENT),
        ),
        (
            "nomination.returned",
            _l("Выдвижение возвращено"),
            "returned (nomination)",
            "the coordinator",
            "{{ number }}: выдвижение возвращено на доработку",
            "{{ comment }}",
            NOMINATION.plus(**COMMENT),
        ),
    ),
    *_group(
        "consent",
        (
            "consent.expiring",
            _l("Согласия на обработку персональных данных скоро истекают"),
            "consent expires in 30 days",
            "the coordinators of the persons' municipalities (their count) and admins",
            "Истекают согласия на обработку персональных данных: {{ count }}",
            "У {{ count }} чел. согласие истекает в течение {{ days }} дн. (первое — "
            "{{ first_end }}). Получите новые согласия, иначе эти люди будут исключены из "
            "публикаций, передачи в реестр и включения в банк.",
            CONSENTS,
        ),
    ),
    # accounts (invitations, password resets): always e-mailed at once, not configurable
    Kind(
        "account",
        _l("Учётная запись"),
        "invitation, password reset",
        "the account's owner",
        "{{ subject }}",
        "{{ body }}",
        {"subject": "Приглашение в МКР", "body": "Откройте ссылку."},
        configurable=False,
        group="account",
    ),
]


KINDS: dict[str, Kind] = {k.key: k for k in _KINDS}
GENERAL = "general"  # notifications sent without a kind (older callers)

GROUPS = {
    "accreditation": _l("Аккредитация"),
    "review": _l("Экспертиза"),
    "admission": _l("Включение в банк"),
    "nominations": _l("Выдвижения"),
    "consent": _l("Персональные данные"),
}


def kind_of(key: str) -> Kind | None:
    return KINDS.get(key)


def configurable_kinds() -> list[Kind]:
    return [k for k in _KINDS if k.configurable]
