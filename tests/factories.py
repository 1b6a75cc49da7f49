"""Test rows, built through the real operations where a workflow is involved. Names are
synthetic.

- :func:`user` makes an account with a role; its password hash is cheap (PBKDF2, one round),
  for tests only, so that a world of many users builds in milliseconds.
- :class:`Side` is one tenant with a user of every role, municipalities and organisations
  inside and outside their scopes; the ``*_in`` builders put a workflow item in a given state
  by driving it through the operations, acting in the roles the tables allow.
- :func:`build_world` is two identical sides (tenant A and tenant B) with one object of every
  kind behind every URL parameter of the app, plus objects outside each scope.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.security import generate_password_hash

from mkr_web.extensions import db
from mkr_web.models import (
    AccreditationApplication,
    AchievementLevel,
    AdmissionCandidate,
    CertificateKind,
    Direction,
    Event,
    EventEdition,
    EventKind,
    EventLevel,
    Membership,
    Municipality,
    MunicipalityKind,
    Nomination,
    NominationKind,
    Organization,
    OrganizationKind,
    Person,
    ReviewAssignment,
    SubjectType,
    Tenant,
    User,
)
from workflows.engine import SYSTEM
from workflows.roles import Role

PASSWORD = "test-password-123"
PDF = b"%PDF-1.4\n% test\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
TODAY = date.today()


def user(
    tenant: Tenant | None,
    role: Role | str | None,
    *,
    email: str,
    municipalities=(),
    organization: Organization | None = None,
    platform_admin: bool = False,
) -> User:
    """A user holding ``role`` in ``tenant`` (or a platform admin), committed."""
    from mkr_web.operations.tenancy import grant_role

    account = User(
        email=User.normalize_email(email),
        full_name=f"Пользователь {email.split('@')[0]}",
        is_platform_admin=platform_admin,
        # cheap on purpose: tests log in hundreds of times; the app itself uses scrypt
        password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1"),
    )
    db.session.add(account)
    db.session.flush()
    if tenant is not None and role:
        grant_role(
            account,
            tenant,
            Role(role),
            municipalities=list(municipalities),
            organization=organization,
        )
    db.session.commit()
    return account


def pdf_upload(name: str = "document.pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(PDF), filename=name, content_type="application/pdf")


def stored_pdf(tenant_id: int, kind: str, user_id: int | None = None):
    from mkr_web.documents.storage import save_bytes

    return save_bytes(tenant_id, kind, f"{kind}.pdf", PDF, "application/pdf", user_id)


@dataclass
class Actor:
    """Who acts, in which role: what a view would pass to an operation."""

    role: str
    user: User
    membership: Membership


class Side:
    """One tenant. Scopes: ``coordinator`` holds ``first`` only; ``organizer`` is ``center``'s;
    ``expert`` is assigned what the builders assign to it. The ``other_*`` users and the
    ``second`` municipality, ``school2`` and ``other_center`` lie outside those scopes."""

    def __init__(self, slug: str):
        t = self.tenant = Tenant(slug=slug, name=f"Проект {slug}", settings={})
        db.session.add(t)
        db.session.flush()
        self.first, self.second = (
            Municipality(tenant_id=t.id, name=n, kind=MunicipalityKind.DISTRICT, sort_order=i)
            for i, n in enumerate(("Первый район", "Второй район"))
        )
        db.session.add_all([self.first, self.second])
        db.session.flush()
        self.school1 = self._org("МБОУ «СОШ № 1»", self.first, OrganizationKind.SCHOOL)
        self.school2 = self._org("МБОУ «СОШ № 2»", self.second, OrganizationKind.SCHOOL)
        self.university = self._org("Университет", self.first, OrganizationKind.UNIVERSITY)
        self.center = self._org("Центр развития", self.first, OrganizationKind.SUPPLEMENTARY)
        self.other_center = self._org(
            "Другой организатор", self.second, OrganizationKind.SUPPLEMENTARY
        )
        db.session.commit()
        mail = f"{slug}.test"
        self.admin = user(t, Role.ADMIN, email=f"admin@{mail}")
        self.coordinator = user(
            t, Role.COORDINATOR, email=f"coordinator@{mail}", municipalities=[self.first]
        )
        self.other_coordinator = user(
            t, Role.COORDINATOR, email=f"coordinator2@{mail}", municipalities=[self.second]
        )
        self.organizer = user(
            t, Role.ORGANIZER, email=f"organizer@{mail}", organization=self.center
        )
        self.other_organizer = user(
            t, Role.ORGANIZER, email=f"organizer2@{mail}", organization=self.other_center
        )
        self.expert = user(t, Role.EXPERT, email=f"expert@{mail}")
        self.expert2 = user(t, Role.EXPERT, email=f"expert2@{mail}")
        self.other_expert = user(t, Role.EXPERT, email=f"expert3@{mail}")
        self.platform = user(None, None, email=f"platform@{mail}", platform_admin=True)
        self.event = self._event("Конференция «Шаг в науку»", self.center)
        self.edition = self._edition(self.event)
        self.other_event = self._event("Олимпиада другого организатора", self.other_center)
        self.other_edition = self._edition(self.other_event)
        db.session.commit()

    def _org(self, name: str, municipality: Municipality, kind: OrganizationKind):
        org = Organization(
            tenant_id=self.tenant.id, name=name, kind=kind, municipality=municipality
        )
        db.session.add(org)
        return org

    def _event(self, title: str, organizer: Organization) -> Event:
        event = Event(
            tenant_id=self.tenant.id,
            title=title,
            kind=EventKind.ACCREDITED,
            direction=Direction.PROJECT_RESEARCH,
            level=EventLevel.REGIONAL,
            organizer_id=organizer.id,
        )
        db.session.add(event)
        db.session.flush()
        return event

    def _edition(self, event: Event) -> EventEdition:
        edition = EventEdition(
            tenant_id=self.tenant.id,
            event_id=event.id,
            year=2019,
            starts_on=date(2019, 3, 25),
            ends_on=date(2019, 3, 27),
        )
        db.session.add(edition)
        db.session.flush()
        return edition

    # ---- who acts ------------------------------------------------------------------------

    def membership(self, account: User) -> Membership:
        return next(m for m in account.memberships if m.tenant_id == self.tenant.id)

    def actor(self, role: str) -> Actor:
        """The user holding ``role`` here. The platform admin holds no membership in a tenant;
        operations that take one get a transient membership (never saved) naming that role."""
        role = Role(role)
        if role is Role.PLATFORM_ADMIN:
            ghost = Membership(role=role, tenant_id=self.tenant.id, user_id=self.platform.id)
            return Actor(role, self.platform, ghost)
        account = {
            Role.ADMIN: self.admin,
            Role.COORDINATOR: self.coordinator,
            Role.ORGANIZER: self.organizer,
            Role.EXPERT: self.expert,
        }[role]
        return Actor(role, account, self.membership(account))

    # ---- rows ----------------------------------------------------------------------------

    def person(
        self,
        surname: str = "Тестова",
        *,
        municipality: Municipality | None = None,
        history=(),
        **fields,
    ) -> Person:
        """A person with a dated status history ``[(action, date[, comment]), ...]``."""
        from mkr_web.operations.people import Step, add_persons_bulk

        municipality = municipality or self.first
        organization = self.school1 if municipality is self.first else self.school2
        data = dict(
            surname=surname,
            name="Анна",
            patronymic="Игоревна",
            birth_on=date(2006, 9, 1),
            municipality_id=municipality.id,
            organization_id=organization.id,
            grade="9 класс",
            **fields,
        )
        steps = [Step(h[0], h[1], comment=h[2] if len(h) > 2 else "") for h in history]
        made = add_persons_bulk(
            self.tenant.id, [(data, steps)], role=SYSTEM, user_id=None, source="test"
        )[0]
        db.session.commit()
        return made

    def person_in(self, status: str, **kw) -> Person:
        """A person whose lifecycle status is ``status``."""
        path = {
            "none": [],
            "potential": [("mark_potential", date(2018, 1, 10))],
            "resident_school": [("admit_school", date(2018, 5, 1))],
            "resident_student": [("admit_student", date(2018, 5, 1))],
            "alumni": [("admit_student", date(2018, 5, 1)), ("graduate", date(2019, 6, 1))],
            "excluded": [("admit_school", date(2018, 5, 1)), ("exclude", date(2019, 1, 9), "x")],
        }[status]
        return self.person(history=path, **kw)

    def application_in(self, state: str, organizer: User | None = None) -> AccreditationApplication:
        """An accreditation application of ``organizer``'s organisation (default: ``center``)
        in ``state``, reviewed by ``expert`` and ``expert2``."""
        from mkr_web.operations import accreditation as acc
        from mkr_web.operations import reviews

        author = organizer or self.organizer
        org = self.membership(author).organization
        app = acc.create_application(
            self.tenant.id,
            org,
            acc.ApplicationData(
                title=f"Конференция {org.name}",
                direction=Direction.PROJECT_RESEARCH,
                level=EventLevel.REGIONAL,
                expected_participants=100,
            ),
            user_id=author.id,
            regulation=stored_pdf(self.tenant.id, "regulation", author.id),
        )
        if state != "draft":
            acc.submit(app, role=Role.ORGANIZER, user_id=author.id)
        if state == "returned":
            acc.decide(app, "return", "Уточните", role=Role.ADMIN, user_id=self.admin.id)
        if state in ("in_review", "reviewed", "accredited", "rejected", "expired"):
            experts = [self.expert.id, self.expert2.id]
            reviews.assign_experts(
                SubjectType.ACCREDITATION, app, experts, role=Role.ADMIN, actor_id=self.admin.id
            )
        if state in ("reviewed", "accredited", "rejected", "expired"):
            self._score(SubjectType.ACCREDITATION, app, [8, 8, 8, 8, 4])
        if state in ("accredited", "expired"):
            acc.accredit(app, 2019, 2021, role=Role.ADMIN, user_id=self.admin.id)
        if state == "rejected":
            acc.decide(app, "reject", "Не подходит", role=Role.ADMIN, user_id=self.admin.id)
        if state == "expired":
            acc.process_expiry(today=date(2022, 1, 1))
        db.session.commit()
        assert app.state.value == state, (app.state, state)
        return app

    def _score(self, subject_type: SubjectType, subject, points: list[int]) -> None:
        from mkr_web.operations import reviews

        rubric = reviews.ensure_rubric(self.tenant.id, subject_type)
        criteria = [c for c in rubric.criteria if c.is_active]
        for expert in (self.expert, self.expert2):
            reviews.save_scores(
                self.assignment_of(subject_type, subject, expert),
                {c.id: p for c, p in zip(criteria, points, strict=True)},
                "Оценено.",
                submit=True,
                role=Role.EXPERT,
                user_id=expert.id,
            )

    def assignment_of(self, subject_type: SubjectType, subject, expert: User) -> ReviewAssignment:
        return db.session.execute(
            sa.select(ReviewAssignment).where(
                ReviewAssignment.subject_type == subject_type,
                ReviewAssignment.subject_id == subject.id,
                ReviewAssignment.expert_id == expert.id,
            )
        ).scalar_one()

    def nomination_in(
        self, state: str, person: Person | None = None, coordinator: User | None = None
    ) -> Nomination:
        """A nomination (admission on achievements) by ``coordinator`` (default: the side's)
        of ``person`` (default: a new person of that coordinator's first municipality)."""
        from mkr_web.operations import nominations as ops

        author = coordinator or self.coordinator
        membership = self.membership(author)
        if person is None:
            person = self.person("Выдвинутая", municipality=membership.municipalities[0])
        n = ops.create_nomination(
            membership,
            person,
            ops.NominationData(
                kind=NominationKind.ADMISSION,
                description="Победитель всероссийской олимпиады",
                achievement_level=AchievementLevel.ALL_RUSSIAN,
            ),
        )
        ops.add_evidence(n, membership, pdf_upload("diploma.pdf"))
        admin = self.membership(self.admin)
        if state != "draft":
            ops.submit(n, membership)
        if state == "returned":
            ops.decide(n, admin, "return", "Уточните")
        if state in ("in_review", "reviewed", "approved", "rejected"):
            from mkr_web.operations import reviews

            reviews.assign_experts(
                SubjectType.NOMINATION,
                n,
                [self.expert.id, self.expert2.id],
                role=Role.ADMIN,
                actor_id=self.admin.id,
            )
        if state in ("reviewed", "approved", "rejected"):
            self._score(SubjectType.NOMINATION, n, [8, 4, 9, 4])
        if state == "approved":
            ops.approve(n, admin)
        if state == "rejected":
            ops.decide(n, admin, "reject", "Нет оснований")
        db.session.commit()
        assert n.state.value == state, (n.state, state)
        return n

    def candidate_in(
        self, state: str, edition: EventEdition | None = None, surname: str = "Соколова"
    ) -> AdmissionCandidate:
        """One candidate of a results protocol of ``edition`` (default: ``center``'s event),
        from ``first`` (the coordinator's municipality), in ``state``."""
        from mkr_web.operations import admission as ops

        edition = edition or self.edition
        organizer = self.organizer if edition.event_id == self.event.id else self.other_organizer
        municipality = self.first if organizer is self.organizer else self.second
        school = self.school1 if municipality is self.first else self.school2
        batch = ops.create_batch(
            edition,
            [
                {
                    "surname": surname,
                    "name": "Анна",
                    "patronymic": "Игоревна",
                    "birth_date": "12.04.2004",
                    "organization": school.name,
                    "grade": "9 класс",
                    "municipality": municipality.name,
                    "result": "победитель",
                    "place": "1",
                    "section": "Экология",
                    "parent_contact": "Соколова Ирина Павловна, +7 913 555-01-02",
                }
            ],
            organizer,
        )
        candidate = batch.candidates[0]
        checker = self.membership(
            self.coordinator if municipality is self.first else self.other_coordinator
        )
        if state == "needs_fix":
            ops.return_candidate(candidate, checker, "Опечатка в фамилии")
        if state in ("confirmed", "admitted", "rejected"):
            ops.confirm_candidate(candidate, checker, consent_on=date(2019, 4, 1), on_file=True)
        admin = self.membership(self.admin)
        if state == "admitted":
            ops.admit_candidate(candidate, admin, on=date(2019, 5, 1))
        if state == "rejected":
            ops.reject_candidate(candidate, admin, "Нет диплома")
        db.session.commit()
        assert candidate.state.value == state, (candidate.state, state)
        return candidate


def table_rows() -> dict[str, list[tuple]]:
    """Every row of every table, for "nothing changed" checks (plain SQL: it runs often)."""
    conn = db.session.connection()
    snapshot = {}
    for table in db.metadata.sorted_tables:
        order = ", ".join(f'"{c.name}"' for c in (table.primary_key.columns or table.columns))
        rows = conn.exec_driver_sql(f'SELECT * FROM "{table.name}" ORDER BY {order}').all()
        snapshot[table.name] = [tuple(r) for r in rows]
    return snapshot


def changed_tables(before: dict, after: dict) -> dict[str, tuple[int, int]]:
    """``{table: (rows before, rows after)}`` for each table whose rows differ."""
    return {
        name: (len(before[name]), len(after[name]))
        for name in before
        if before[name] != after[name]
    }


# ---- the access matrix's world ---------------------------------------------------------------


class Stock:
    """One object of every kind behind the app's URL parameters, in one :class:`Side`, inside
    the scopes of the side's admin, coordinator, organiser and expert; and, beside each, one
    just outside a scope (``*_out``): another municipality's, another organisation's, another
    expert's, another user's, or a child row of another parent."""

    def __init__(self, side: Side):
        from mkr_web.imports.preview import save_preview
        from mkr_web.models import Job, JobState, OpportunityKind, OutletKind
        from mkr_web.operations import certificates, people, programme, reviews

        s = self.side = side
        t = s.tenant
        # accreditation: center's accredited application, reviewed by expert and expert2;
        # other_center's submitted one, with other_expert assigned
        self.application = s.application_in("accredited")
        self.application_out = s.application_in("submitted", organizer=s.other_organizer)
        reviews.assign_experts(
            SubjectType.ACCREDITATION,
            self.application_out,
            [s.other_expert.id],
            role=Role.ADMIN,
            actor_id=s.admin.id,
        )
        self.assignment = s.assignment_of(SubjectType.ACCREDITATION, self.application, s.expert)
        self.assignment_out = s.assignment_of(
            SubjectType.ACCREDITATION, self.application_out, s.other_expert
        )
        self.criterion = reviews.ensure_rubric(t.id, SubjectType.ACCREDITATION).criteria[0]
        # a Resident of the coordinator's municipality, and one of the other municipality
        self.person = s.person_in("resident_school", surname="Резидентова")
        self.person_out = s.person_in("resident_school", surname="Чужая", municipality=s.second)
        self.consent, self.achievement, self.project = self._records(self.person, people)
        self.consent_out, self.achievement_out, self.project_out = self._records(
            self.person_out, people
        )
        # nominations: the coordinator's (in review), the other coordinator's
        self.nomination = s.nomination_in("in_review")
        self.nomination_out = s.nomination_in("submitted", coordinator=s.other_coordinator)
        # admission: a protocol of center's edition (first), one of other_center's (second)
        self.candidate = s.candidate_in("submitted")
        self.candidate_out = s.candidate_in("submitted", edition=s.other_edition, surname="Иная")
        # certificates with their PDFs (no rendering needed to download them)
        self.certificate = certificates.issue(
            t.id, CertificateKind.ACCREDITATION, self.application.id
        )
        self.certificate.file = stored_pdf(t.id, "certificate")
        resident = certificates.issue(t.id, CertificateKind.RESIDENT, self.person.id)
        resident.file = stored_pdf(t.id, "certificate")
        resident_out = certificates.issue(t.id, CertificateKind.RESIDENT, self.person_out.id)
        resident_out.file = stored_pdf(t.id, "certificate")
        # the programme's records
        self.opportunity = programme.save_opportunity(
            t, None, kind=OpportunityKind.INTERNSHIP, title="Стажировка", year=2019
        )
        self.placement = programme.add_placement(self.opportunity, self.person, date(2019, 7, 1))
        self.partnership = programme.save_partnership(
            t, None, organization=s.university, started_on=date(2019, 1, 1)
        )
        self.publication = programme.save_publication(
            t,
            None,
            title="О программе",
            outlet="Новости",
            outlet_kind=OutletKind.NEWS_AGENCY,
            published_on=date(2019, 5, 5),
        )
        # finished jobs with a result file: (kind, who started it)
        self.jobs: dict[tuple[str, int], int] = {}
        for kind in ("registry_export", "report_pdf", "certificate"):
            for account in (s.admin, s.coordinator, s.other_coordinator, s.organizer, s.expert):
                job = Job(
                    tenant_id=t.id,
                    kind=kind,
                    key="xlsx" if kind == "registry_export" else "2019",
                    state=JobState.DONE,
                    progress=100,
                    params={},
                    result_file=stored_pdf(t.id, "export", account.id),
                    created_by_id=account.id,
                )
                db.session.add(job)
                db.session.flush()
                self.jobs[kind, account.id] = job.id
        # import previews, one per importer and user (the owner's, and another user's)
        self.previews: dict[tuple[str, int], int] = {}
        importers = {
            "persons": (s.admin, s.other_coordinator),
            "social": (s.admin, s.other_coordinator),
            f"participants-{s.edition.id}": (s.admin, s.organizer, s.other_organizer),
            f"protocol-{s.edition.id}": (s.organizer, s.other_organizer),
        }
        for importer, accounts in importers.items():
            for account in accounts:
                payload = {
                    "importer": importer,
                    "filename": f"{importer}.csv",
                    "columns": [],
                    "notices": [],
                    "rows": [],
                }
                self.previews[importer, account.id] = save_preview(
                    t.id, account.id, importer, payload
                ).id
        db.session.commit()

    @staticmethod
    def _records(person: Person, people):
        from mkr_web.models import ConsentGiver

        consent = people.add_consent(
            person,
            given_on=date(2019, 4, 1),
            given_by=ConsentGiver.PARENT,
            giver_name="Родитель",
            upload=pdf_upload("consent.pdf"),
            user_id=None,
        )
        achievement = people.add_achievement(
            person,
            title="Олимпиада",
            level=AchievementLevel.REGIONAL,
            result="Победитель",
            achieved_on=date(2019, 3, 1),
        )
        project = people.add_project(
            person, title="Проект", role="Автор", support_kind="Грант", year=2019
        )
        return consent, achievement, project


class World:
    """Tenant A and tenant B, built alike (:class:`Stock`), plus a platform admin. The access
    matrix asks it for the value of every URL parameter of every rule: the object the acting
    role reaches in A (:meth:`value`), and the objects it must not reach: B's of the same kind
    and A's outside its scope (:meth:`outside`)."""

    def __init__(self):
        self.a = Stock(Side("tenant-a"))
        self.b = Stock(Side("tenant-b"))

    def user_for(self, role: str) -> User | None:
        s = self.a.side
        return {
            "admin": s.admin,
            "coordinator": s.coordinator,
            "organizer": s.organizer,
            "expert": s.expert,
            "platform-admin": s.platform,
            "anonymous": None,
        }[role]

    # Each resolver: (stock, endpoint, role) -> (the value the role reaches, [values outside
    # its scope in the same tenant]). A new URL parameter needs a resolver here.
    def value(self, param: str, endpoint: str, role: str, stock: Stock | None = None):
        return self._resolve(param, endpoint, role, stock or self.a)[0]

    def outside(self, param: str, endpoint: str, role: str) -> list:
        return self._resolve(param, endpoint, role, self.a)[1]

    def _resolve(self, param: str, endpoint: str, role: str, st: Stock):
        resolver = RESOLVERS.get(param)
        if resolver is None:
            raise MissingObject(
                f"URL parameter <{param}> of endpoint {endpoint} has no object in the access "
                f"matrix's world: add a resolver for it to tests/factories.py RESOLVERS."
            )
        own, out = resolver(st, endpoint, role)
        return own, [v for v in out if v is not None]


class MissingObject(LookupError):
    pass


def _job(st: Stock, endpoint: str, role: str):
    s = st.side
    kind = (
        "registry_export"
        if "export" in endpoint
        else "report_pdf"
        if "report" in endpoint
        else "certificate"
    )
    if role == "platform-admin":  # holds no tenant: every job is another tenant's
        return None, [st.jobs[kind, s.admin.id]]
    account = {
        "coordinator": s.coordinator,
        "organizer": s.organizer,
        "expert": s.expert,
    }.get(role, s.admin)
    own = st.jobs[kind, account.id]
    # someone else's job of the same kind; the admin sees every report job of the tenant
    other = s.other_coordinator if account is not s.other_coordinator else s.coordinator
    shared = role == "admin" and kind != "registry_export"
    return own, [] if shared else [st.jobs[kind, other.id]]


def _preview(st: Stock, endpoint: str, role: str):
    s = st.side
    if endpoint.endswith("people_import_preview"):
        importer = "persons"
    elif endpoint.endswith("people_social_preview"):
        importer = "social"
    elif endpoint.endswith("protocol_preview"):
        importer = f"protocol-{s.edition.id}"
    else:
        importer = f"participants-{s.edition.id}"
    if importer.startswith("protocol"):
        owner = s.organizer
    elif importer.startswith("participants"):
        owner = s.organizer if role == "organizer" else s.admin
    else:
        owner = s.admin
    own = st.previews.get((importer, owner.id))
    out = [v for (name, uid), v in st.previews.items() if name == importer and uid != owner.id]
    return own, out


def _file(st: Stock, endpoint: str, role: str):
    """A file reached through its parent: a nomination's evidence or a reviewed subject's
    file; outside: the same kind of file of another parent."""
    if "nomination" in endpoint:
        return st.nomination.files[0].id, [st.nomination_out.files[0].id]
    return st.application.regulation_file_id, [st.application_out.regulation_file_id]


def _item(st: Stock, endpoint: str, role: str):
    if "achievement" in endpoint:
        return st.achievement.id, [st.achievement_out.id]
    return st.project.id, [st.project_out.id]


def _static(st: Stock, endpoint: str, role: str):
    """A file that exists: the app's stylesheet, or Bootstrap's."""
    return ("mkr.css" if endpoint == "static" else "css/bootstrap.min.css"), []


def _scoped(own_attr: str, roles_scoped: tuple[str, ...], out_attr: str | None = None):
    """``own`` for every role; the ``*_out`` twin lies outside the scope of ``roles_scoped``
    (for the others it is a legitimate object of their tenant)."""

    def resolve(st: Stock, endpoint: str, role: str):
        own = getattr(st, own_attr)
        out = getattr(st, out_attr or f"{own_attr}_out")
        return own.id, [out.id] if role in roles_scoped else []

    return resolve


def _attr(path: str, out_path: str | None = None, roles_scoped: tuple[str, ...] = ()):
    def get(obj, dotted):
        for part in dotted.split("."):
            obj = getattr(obj, part)
        return obj

    def resolve(st: Stock, endpoint: str, role: str):
        out = [get(st, out_path)] if out_path and role in roles_scoped else []
        return get(st, path), out

    return resolve


RESOLVERS = {
    "application_id": _scoped("application", ("organizer",)),
    "assignment_id": _scoped("assignment", ("expert",)),
    "batch_id": _attr("candidate.batch_id", "candidate_out.batch_id", ("organizer",)),
    "candidate_id": _scoped("candidate", ("coordinator", "organizer")),
    "consent_id": _attr("consent.id", "consent_out.id", ("admin", "coordinator")),
    "criterion_id": _attr("criterion.id"),
    "edition_id": _attr("side.edition.id", "side.other_edition.id", ("organizer",)),
    "event_id": _attr("side.event.id", "side.other_event.id", ("organizer",)),
    "file_id": _file,
    "item_id": _item,
    "job_id": _job,
    "membership_id": lambda st, e, r: (st.side.membership(st.side.coordinator).id, []),
    "municipality_id": _attr("side.first.id"),
    "nomination_id": _scoped("nomination", ("coordinator",)),
    "opportunity_id": _attr("opportunity.id"),
    "organization_id": _attr("side.school1.id", "side.school2.id", ("coordinator",)),
    "partnership_id": _attr("partnership.id"),
    "person_id": _scoped("person", ("coordinator",)),
    "placement_id": _attr("placement.id"),
    "preview_id": _preview,
    "publication_id": _attr("publication.id"),
    # not objects: a value the rule's converter accepts
    "action": lambda st, e, r: ("reject", []),
    "code": lambda st, e, r: (st.certificate.code, []),
    "filename": _static,
    "fmt": lambda st, e, r: ("xlsx", []),
    "kind": lambda st, e, r: ("accreditation", []),
}
