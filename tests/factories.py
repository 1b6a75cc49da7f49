"""Every builder of test rows. Rows are committed; names are synthetic (never real people).

- :class:`Factory` (the ``factory`` fixture): tenants, municipalities, organisations, users.
- persons with a dated status history (:func:`make_person`, :func:`resident`);
- :class:`World`: one tenant with municipalities, schools, an organiser, coordinators,
  experts and an accredited event with a 2019 edition, shared by the admission, accreditation,
  nomination and programme tests (:func:`world` is its accreditation flavour,
  :func:`nomination_world` adds an opportunity and a pupil);
- accreditation applications and nominations driven through the real operations;
- the report's small builders and the report demo (:func:`load_report_demo`).
"""

from __future__ import annotations

import io
from datetime import date, datetime
from functools import cached_property

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from mkr_web.demo import OPERATOR, TENANT_NAME, TENANT_SLUG, reference
from mkr_web.demo.plan import people_plan
from mkr_web.demo.seed import (
    ACCREDITED_EVENTS,
    CANDIDATES_2020,
    MOVED_NOTE,
    NOT_HELD_NOTE,
    PARTICIPANT_TOTALS,
    SATELLITE_RELATED,
    SATELLITES,
    TABLE2,
    edition_dates,
)
from mkr_web.documents.storage import save_bytes
from mkr_web.extensions import db
from mkr_web.models import (
    AccreditationApplication,
    AchievementLevel,
    AdmissionBatch,
    CountCategory,
    Direction,
    EditionState,
    Event,
    EventEdition,
    EventKind,
    EventLevel,
    Municipality,
    MunicipalityKind,
    NominationKind,
    Opportunity,
    OpportunityKind,
    Organization,
    OrganizationKind,
    OutletKind,
    Participation,
    ParticipationCount,
    ParticipationRole,
    Partnership,
    Person,
    PersonStatusChange,
    Placement,
    Publication,
    ReviewAssignment,
    SubjectType,
    Tenant,
    User,
    normalize_name,
)
from mkr_web.operations import (
    accreditation as acc,
    admission as admission_ops,
    nominations as nominations_ops,
    programme as programme_ops,
    reviews,
)
from mkr_web.operations.people import Step, add_persons_bulk
from mkr_web.operations.tenancy import grant_role
from tests.support import PASSWORD
from workflows.lifecycle import PersonStatus
from workflows.review import ReviewState
from workflows.roles import Role

REGULATION_PDF = b"%PDF-1.4\n% test regulation\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
DIPLOMA_PDF = b"%PDF-1.4\n% diploma\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def municipality(tenant, name: str) -> Municipality:
    return db.session.execute(
        sa.select(Municipality).where(
            Municipality.tenant_id == tenant.id, Municipality.name == name
        )
    ).scalar_one()


class Factory:
    """Builds committed rows for tests. Names are synthetic."""

    def __init__(self):
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def tenant(self, slug: str | None = None, municipalities=("Первый район", "Второй район")):
        n = self._next()
        t = Tenant(slug=slug or f"t{n}", name=f"Проект {n}", settings={})
        db.session.add(t)
        db.session.flush()
        for i, name in enumerate(municipalities):
            db.session.add(
                Municipality(
                    tenant_id=t.id, name=name, kind=MunicipalityKind.DISTRICT, sort_order=i
                )
            )
        db.session.commit()
        return t

    def municipality(self, tenant, name: str):
        return municipality(tenant, name)

    def organization(self, tenant, municipality=None, name=None, kind="school", **kw):
        if isinstance(municipality, str):
            municipality = self.municipality(tenant, municipality)
        org = Organization(
            tenant_id=tenant.id,
            name=name or f"Школа № {self._next()}",
            kind=OrganizationKind(kind),
            municipality=municipality,
            **kw,
        )
        db.session.add(org)
        db.session.commit()
        return org

    def user(
        self,
        tenant=None,
        role="admin",
        email=None,
        municipalities=(),
        organization=None,
        platform_admin=False,
    ):
        n = self._next()
        user = User(
            email=User.normalize_email(email or f"user{n}@example.test"),
            full_name=f"Пользователь {n}",
            is_platform_admin=platform_admin,
        )
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
        if tenant is not None and role:
            munis = [
                self.municipality(tenant, m) if isinstance(m, str) else m for m in municipalities
            ]
            role = Role(role)
            if role is Role.COORDINATOR and not munis:
                munis = [tenant.municipalities[0]]
            if role is Role.ORGANIZER and organization is None:
                organization = self.organization(
                    tenant, munis[0] if munis else tenant.municipalities[0]
                )
            grant_role(user, tenant, role, municipalities=munis, organization=organization)
        db.session.commit()
        return user


# ---- persons ---------------------------------------------------------------------------------


def make_person(
    tenant,
    surname="Тестов",
    name="Тест",
    patronymic=None,
    birth_on=date(2005, 3, 4),
    municipality=None,
    organization=None,
    history=(),
    commit=True,
    **fields,
) -> Person:
    """A person through the bulk operation the import and the demo use, so that it has its
    dated status history. ``history``: ``[(action, date), ...]`` or ``[(action, date,
    comment), ...]``. The municipality defaults to the organisation's, else "Первый район"."""
    data = dict(surname=surname, name=name, patronymic=patronymic, birth_on=birth_on, **fields)
    if municipality is None and organization is None:
        municipality = "Первый район"
    if municipality is not None:
        data["municipality_id"] = (
            globals()["municipality"](tenant, municipality)
            if isinstance(municipality, str)
            else municipality
        ).id
    if organization is not None:
        data["organization_id"] = organization.id
        data.setdefault("municipality_id", organization.municipality_id)
    steps = [Step(h[0], h[1], comment=h[2] if len(h) > 2 else "") for h in history]
    person = add_persons_bulk(
        tenant.id, [(data, steps)], role="system", user_id=None, source="test"
    )[0]
    if commit:
        db.session.commit()
    return person


def resident(tenant, surname="Резидентов", on=date(2019, 5, 1), **kw) -> Person:
    return make_person(tenant, surname=surname, history=[("admit_school", on)], **kw)


# ---- one world ------------------------------------------------------------------------------


class World:
    """A tenant with three municipalities ("Третий район" has no coordinator), schools, a
    university, the organiser's centre (``org``, also ``rcro``) and another organiser, admins,
    two coordinators, experts, and (``with_events``) an accredited event and a satellite with
    2019 editions. ``admins``/``experts`` say how many of each."""

    def __init__(
        self,
        factory,
        slug=None,
        *,
        admins: int = 2,
        experts: int = 1,
        org_name: str = "Центр развития",
        with_events: bool = True,
    ):
        self.tenant = factory.tenant(
            slug, municipalities=("Первый район", "Второй район", "Третий район")
        )
        t = self.tenant
        self.first = factory.municipality(t, "Первый район")
        self.second = factory.municipality(t, "Второй район")
        self.third = factory.municipality(t, "Третий район")
        self.school1 = factory.organization(t, self.first, name="МБОУ «СОШ № 1»")
        self.school2 = factory.organization(t, self.second, name="МБОУ «СОШ № 2»")
        self.school3 = factory.organization(t, self.third, name="МБОУ «СОШ № 3»")
        self.university = factory.organization(t, self.first, name="Университет", kind="university")
        self.rcro = factory.organization(
            t, self.first, name=org_name.format(slug=t.slug), kind="supplementary"
        )
        self.other_org = factory.organization(
            t, self.first, name="Другой организатор", kind="supplementary"
        )
        self.admin = factory.user(t, "admin", email=f"admin@{t.slug}.test")
        if admins > 1:
            self.admin2 = factory.user(t, "admin", email=f"admin2@{t.slug}.test")
        self.coord1 = factory.user(
            t, "coordinator", email=f"c1@{t.slug}.test", municipalities=[self.first]
        )
        self.coord2 = factory.user(
            t, "coordinator", email=f"c2@{t.slug}.test", municipalities=[self.second]
        )
        self.organizer = factory.user(
            t, "organizer", email=f"org@{t.slug}.test", organization=self.rcro
        )
        self.other_organizer = factory.user(
            t, "organizer", email=f"org2@{t.slug}.test", organization=self.other_org
        )
        self.expert = factory.user(t, "expert", email=f"expert@{t.slug}.test")
        for n in range(2, experts + 1):
            setattr(self, f"expert{n}", factory.user(t, "expert", email=f"expert{n}@{t.slug}.test"))
        if with_events:
            self._add_events()
        db.session.commit()

    @classmethod
    def of(cls, tenant, admin, organizer, org, *experts) -> World:
        """A world around rows that exist already (a browser test's tenant)."""
        w = cls.__new__(cls)
        w.tenant, w.admin, w.organizer, w.rcro = tenant, admin, organizer, org
        w.expert = experts[0]
        for n, expert in enumerate(experts[1:], start=2):
            setattr(w, f"expert{n}", expert)
        return w

    @property
    def org(self) -> Organization:
        """The organiser's organisation."""
        return self.rcro

    @property
    def expert1(self) -> User:
        return self.expert

    def _add_events(self) -> None:
        t = self.tenant
        self.event = Event(
            tenant_id=t.id,
            title="Конференция «Шаг в науку»",
            kind=EventKind.ACCREDITED,
            direction=Direction.PROJECT_RESEARCH,
            organizer_id=self.rcro.id,
        )
        self.satellite = Event(
            tenant_id=t.id,
            title="Фестиваль идей",
            kind=EventKind.SATELLITE,
            direction=Direction.PROJECT_RESEARCH,
            organizer_id=self.rcro.id,
        )
        db.session.add_all([self.event, self.satellite])
        db.session.flush()
        self.edition = EventEdition(
            tenant_id=t.id,
            event_id=self.event.id,
            year=2019,
            starts_on=date(2019, 3, 25),
            ends_on=date(2019, 3, 27),
        )
        self.satellite_edition = EventEdition(
            tenant_id=t.id,
            event_id=self.satellite.id,
            year=2019,
            starts_on=date(2019, 4, 1),
            ends_on=date(2019, 4, 1),
        )
        db.session.add_all([self.edition, self.satellite_edition])

    def membership(self, user):
        return next(m for m in user.memberships if m.tenant_id == self.tenant.id)

    def person(
        self,
        surname,
        name,
        patronymic,
        birth_on,
        status=PersonStatus.NONE,
        municipality=None,
        reason=None,
    ):
        p = Person(
            tenant_id=self.tenant.id,
            surname=surname,
            name=name,
            patronymic=patronymic,
            birth_on=birth_on,
            status=status,
            municipality_id=(municipality or self.first).id,
            organization_id=self.school1.id,
            grade="9 класс",
            status_reason=reason,
        )
        p.refresh_search_name()
        db.session.add(p)
        db.session.flush()
        if status is not PersonStatus.NONE:
            db.session.add(
                PersonStatusChange(
                    tenant_id=self.tenant.id,
                    person_id=p.id,
                    from_status=PersonStatus.NONE,
                    to_status=status,
                    changed_on=date(2018, 5, 1),
                    action="admit_school",
                )
            )
        db.session.commit()
        return p

    @cached_property
    def opportunity(self) -> Opportunity:
        """An opportunity of this year (a nomination may propose a Resident for it)."""
        opp = Opportunity(
            tenant_id=self.tenant.id,
            kind=OpportunityKind.PROFILE_SHIFT,
            title="Профильная смена «Сириус»",
            year=date.today().year,
            starts_on=date(date.today().year, 1, 1),
        )
        db.session.add(opp)
        db.session.commit()
        return opp


def world(factory, slug: str | None = None) -> World:
    """The accreditation tests' world: one admin, three experts, no events yet."""
    return World(factory, slug, admins=1, experts=3, org_name="Центр {slug}", with_events=False)


def nomination_world(factory, slug=None) -> World:
    """The nomination tests' world: two experts, an opportunity and a pupil to nominate."""
    w = World(factory, slug, experts=2)
    w.opportunity  # noqa: B018 - created now, as the tests expect it to exist
    w.pupil = w.person("Лебедева", "Дарья", "Олеговна", date(2006, 9, 1))
    return w


def row(**over) -> dict:
    """One row of a results protocol (admission), as the organiser types it."""
    base = {
        "surname": "Соколова",
        "name": "Анна",
        "patronymic": "Игоревна",
        "birth_date": "12.04.2004",
        "organization": "МБОУ «СОШ № 1»",
        "grade": "9 класс",
        "municipality": "Первый район",
        "result": "победитель",
        "place": "1",
        "section": "Экология",
        "parent_contact": "Соколова Ирина Павловна, +7 913 555-01-02",
    }
    base.update(over)
    return base


def admitted_batch(world: World, rows) -> AdmissionBatch:
    """A protocol of ``rows`` whose candidates the admin confirms and admits (2019-05-20)."""
    batch = admission_ops.create_batch(world.edition, rows, world.organizer)
    db.session.commit()
    admin = world.membership(world.admin)
    for c in batch.candidates:
        admission_ops.confirm_candidate(c, admin, consent_on=date(2019, 4, 5), on_file=True)
    admission_ops.admit_confirmed(batch, admin, on=date(2019, 5, 20))
    db.session.commit()
    return batch


def make_opportunity(world: World, **kw) -> Opportunity:
    """A 2019 profile shift saved through the operation (``kw`` overrides its fields)."""
    data = dict(
        kind=OpportunityKind.PROFILE_SHIFT,
        title="Смена «Сириус»",
        year=2019,
        starts_on=date(2019, 7, 1),
        ends_on=date(2019, 7, 21),
    )
    data.update(kw)
    opp = programme_ops.save_opportunity(world.tenant, None, **data)
    db.session.commit()
    return opp


def admin_and_expert(factory):
    """(tenant, its admin ``admin@example.test``, an expert)."""
    tenant = factory.tenant()
    return (
        tenant,
        factory.user(tenant, "admin", email="admin@example.test"),
        factory.user(tenant, "expert"),
    )


# ---- reviews: accreditation applications and nominations -------------------------------------


def assignment_of(subject, expert) -> ReviewAssignment:
    """The expert's assignment to an application or a nomination."""
    subject_type = (
        SubjectType.ACCREDITATION
        if isinstance(subject, AccreditationApplication)
        else SubjectType.NOMINATION
    )
    return db.session.execute(
        sa.select(ReviewAssignment).where(
            ReviewAssignment.subject_type == subject_type,
            ReviewAssignment.subject_id == subject.id,
            ReviewAssignment.expert_id == expert.id,
        )
    ).scalar_one()


def score(subject, expert, points, comment: str = "", submit=True) -> ReviewAssignment:
    """The expert scores ``subject`` on its rubric's active criteria, in order."""
    assignment = assignment_of(subject, expert)
    rubric = reviews.ensure_rubric(subject.tenant_id, assignment.subject_type)
    criteria = [c for c in rubric.criteria if c.is_active]
    reviews.save_scores(
        assignment,
        {c.id: p for c, p in zip(criteria, points, strict=True)},
        comment,
        submit=submit,
        user_id=expert.id,
    )
    db.session.commit()
    return assignment


def application(
    w: World,
    *,
    title="Конференция «Шаг в науку»",
    submitted=False,
    number=None,
    with_regulation=True,
) -> AccreditationApplication:
    regulation = (
        save_bytes(w.tenant.id, "regulation", "reg.pdf", REGULATION_PDF, "application/pdf")
        if with_regulation
        else None
    )
    app = acc.create_application(
        w.tenant.id,
        w.org,
        acc.ApplicationData(
            title=title,
            direction=Direction.PROJECT_RESEARCH,
            level=EventLevel.REGIONAL,
            expected_participants=300,
        ),
        user_id=w.organizer.id,
        regulation=regulation,
        number=number,
    )
    if submitted:
        acc.submit(app, user_id=w.organizer.id)
    db.session.commit()
    return app


def application_in_review(w: World, experts=None, **kw) -> AccreditationApplication:
    app = application(w, submitted=True, **kw)
    reviews.assign_experts(
        SubjectType.ACCREDITATION,
        app,
        [e.id for e in (experts or (w.expert1, w.expert2))],
        actor_id=w.admin.id,
    )
    db.session.commit()
    return app


def application_reviewed(
    w: World, points1=(8, 8, 8, 8, 4), points2=(9, 9, 9, 9, 5), **kw
) -> AccreditationApplication:
    app = application_in_review(w, **kw)
    score(app, w.expert1, list(points1))
    score(app, w.expert2, list(points2))
    return app


def accredited(w: World, valid=(2020, 2022), **kw) -> AccreditationApplication:
    app = application_reviewed(w, **kw)
    acc.accredit(app, *valid, user_id=w.admin.id)
    db.session.commit()
    return app


def pdf_upload(name="diploma.pdf", data=DIPLOMA_PDF) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type="application/pdf")


def nomination_draft(w: World, person=None, kind=NominationKind.ADMISSION, **kw):
    data = nominations_ops.NominationData(
        kind=kind,
        description=kw.pop("description", "Победитель всероссийской олимпиады"),
        achievement_level=kw.pop("level", AchievementLevel.ALL_RUSSIAN),
        opportunity=w.opportunity if kind is NominationKind.OPPORTUNITY else None,
    )
    n = nominations_ops.create_nomination(w.membership(w.coord1), person or w.pupil, data, **kw)
    db.session.commit()
    return n


def nomination_submitted(w: World, **kw):
    n = nomination_draft(w, **kw)
    nominations_ops.add_evidence(n, w.membership(w.coord1), pdf_upload())
    nominations_ops.submit(n, w.membership(w.coord1))
    db.session.commit()
    return n


def nomination_in_review(w: World, **kw):
    n = nomination_submitted(w, **kw)
    reviews.assign_experts(
        SubjectType.NOMINATION, n, [w.expert.id, w.expert2.id], actor_id=w.admin.id
    )
    db.session.commit()
    return n


def nomination_reviewed(w: World, points=((8, 4, 9, 4), (9, 5, 8, 5)), **kw):
    n = nomination_in_review(w, **kw)
    for expert, pts in zip((w.expert, w.expert2), points, strict=True):
        score(n, expert, pts, "Достижение подтверждено.")
    return n


# ---- the report: small builders --------------------------------------------------------------


def other_region(tenant, name="г. Кемерово"):
    m = Municipality(
        tenant_id=tenant.id, name=name, kind=MunicipalityKind.OTHER_REGION, sort_order=100
    )
    db.session.add(m)
    db.session.flush()
    return m


def event(tenant, title, kind=EventKind.ACCREDITED, direction=Direction.PROJECT_RESEARCH):
    e = Event(
        tenant_id=tenant.id, title=title, kind=kind, direction=direction, level=EventLevel.REGIONAL
    )
    db.session.add(e)
    db.session.flush()
    return e


def edition(ev, year, state=EditionState.HELD, note=None, counts=None):
    """``counts``: {municipality or None: students}; teachers/experts via (muni, category) keys."""
    ed = EventEdition(tenant_id=ev.tenant_id, event_id=ev.id, year=year, state=state, note=note)
    db.session.add(ed)
    db.session.flush()
    for key, n in (counts or {}).items():
        muni, category = key if isinstance(key, tuple) else (key, CountCategory.STUDENTS)
        db.session.add(
            ParticipationCount(
                tenant_id=ev.tenant_id,
                edition_id=ed.id,
                category=category,
                municipality_id=muni.id if muni else None,
                count=n,
            )
        )
    db.session.flush()
    return ed


def person(tenant, municipality=None, organization=None, history=(), surname="Тестов"):
    """``history``: [(date, PersonStatus)], in the order they are recorded (ids ascend)."""
    p = Person(
        tenant_id=tenant.id,
        surname=surname,
        name="Тест",
        search_name=surname.lower(),
        municipality_id=municipality.id if municipality else None,
        organization_id=organization.id if organization else None,
        status=history[-1][1] if history else PersonStatus.NONE,
        status_reason="Исключён по заявлению"
        if history and history[-1][1] is PersonStatus.EXCLUDED
        else None,
    )
    db.session.add(p)
    db.session.flush()
    previous = PersonStatus.NONE
    for on, status in history:
        db.session.add(
            PersonStatusChange(
                tenant_id=tenant.id,
                person_id=p.id,
                from_status=previous,
                to_status=status,
                changed_on=on,
                action="test",
            )
        )
        previous = status
    db.session.flush()
    return p


def participate(ed, p, role=ParticipationRole.PARTICIPANT):
    db.session.add(
        Participation(tenant_id=ed.tenant_id, edition_id=ed.id, person_id=p.id, role=role)
    )
    db.session.flush()


def org(tenant, municipality, name, regional=False):
    o = Organization(
        tenant_id=tenant.id,
        name=name,
        kind="school",
        municipality_id=municipality.id,
        is_regional_subordination=regional,
    )
    db.session.add(o)
    db.session.flush()
    return o


def decider():
    u = db.session.execute(
        db.select(User).where(User.email == "decider@example.test")
    ).scalar_one_or_none()
    if u is None:
        u = User(email="decider@example.test", password_hash="!", full_name="Оператор")
        db.session.add(u)
        db.session.flush()
    return u


def accreditation(
    tenant, organizer, number, state, valid=(None, None), decided_at=None, title=None
):
    a = AccreditationApplication(
        tenant_id=tenant.id,
        number=number,
        organizer_id=organizer.id,
        title=title or number,
        direction=Direction.PROJECT_RESEARCH,
        level=EventLevel.REGIONAL,
        state=state,
        valid_from_year=valid[0],
        valid_to_year=valid[1],
        decided_at=decided_at,
        decided_by_id=decider().id
        if state in (ReviewState.ACCREDITED, ReviewState.REJECTED, ReviewState.EXPIRED)
        else None,
    )
    db.session.add(a)
    db.session.flush()
    return a


def partnership(tenant, organization, started_on, ended_on=None):
    db.session.add(
        Partnership(
            tenant_id=tenant.id,
            organization_id=organization.id,
            started_on=started_on,
            ended_on=ended_on,
        )
    )
    db.session.flush()


def placement(tenant, p, on, kind=OpportunityKind.INTERNSHIP, title=None):
    o = Opportunity(tenant_id=tenant.id, kind=kind, title=title or f"Стажировка {on}", year=on.year)
    db.session.add(o)
    db.session.flush()
    db.session.add(
        Placement(tenant_id=tenant.id, opportunity_id=o.id, person_id=p.id, placed_on=on)
    )
    db.session.flush()


def publication(tenant, on, outlet, kind=OutletKind.PARTNER_SITE):
    db.session.add(
        Publication(
            tenant_id=tenant.id, title="Материал", outlet=outlet, outlet_kind=kind, published_on=on
        )
    )
    db.session.flush()


__all__ = ["date", "datetime"]


# ---- the report demo: the planned demo rows, bulk-inserted -------------------------------------

YEARS = (2017, 2018, 2019)
EXPERTS_PER_EDITION = 5


def _report_ids(model, tenant_id) -> dict[str, int]:
    return dict(
        db.session.execute(
            sa.select(model.name, model.id).where(model.tenant_id == tenant_id)
        ).all()
    )


def _report_insert(model, rows: list[dict]) -> list[int]:
    if not rows:
        return []
    result = db.session.execute(
        sa.insert(model).returning(model.id, sort_by_parameter_order=True), rows
    )
    return [r[0] for r in result]


def _report_events(tenant_id, operator_id, munis) -> dict[tuple[str, int], int]:
    keys = list(ACCREDITED_EVENTS)
    event_ids = _report_insert(
        Event,
        [
            {
                "tenant_id": tenant_id,
                "title": t,
                "short_title": s,
                "kind": EventKind.ACCREDITED,
                "direction": d,
                "level": EventLevel.REGIONAL,
                "organizer_id": operator_id,
            }
            for t, s, d in ACCREDITED_EVENTS.values()
        ],
    )
    editions, counts = {}, []
    for year in YEARS:
        for key, event_id in zip(keys, event_ids, strict=True):
            start, end = edition_dates(key, year)
            state, note = EditionState.HELD, None
            if key == "assembly" and year == 2018:
                state, note = EditionState.NOT_HELD, NOT_HELD_NOTE
            elif key == "assembly" and year == 2019:
                state, note = EditionState.MOVED, MOVED_NOTE
            [edition_id] = _report_insert(
                EventEdition,
                [
                    {
                        "tenant_id": tenant_id,
                        "event_id": event_id,
                        "year": year,
                        "starts_on": start,
                        "ends_on": end,
                        "state": state,
                        "note": note,
                    }
                ],
            )
            editions[(key, year)] = edition_id
        cells = [(editions[(k, year)], m) for k in keys for m in TABLE2[year][k]]
        held = sum(1 for k in keys if TABLE2[year][k])
        students = PARTICIPANT_TOTALS[year] - EXPERTS_PER_EDITION * held - len(cells)
        base, extra = divmod(students, len(cells))
        seen = set()
        for i, (edition_id, muni) in enumerate(cells):
            row = {"tenant_id": tenant_id, "edition_id": edition_id, "municipality_id": munis[muni]}
            counts.append({**row, "category": CountCategory.TEACHERS, "count": 1})
            counts.append({**row, "category": CountCategory.STUDENTS, "count": base + (i < extra)})
            if edition_id not in seen:
                seen.add(edition_id)
                counts.append(
                    {**row, "category": CountCategory.EXPERTS, "count": EXPERTS_PER_EDITION}
                )
    sat_ids = _report_insert(
        Event,
        [
            {
                "tenant_id": tenant_id,
                "title": t,
                "kind": EventKind.SATELLITE,
                "direction": d,
                "level": EventLevel.REGIONAL,
                "organizer_id": operator_id,
                "related_event_id": event_ids[keys.index(SATELLITE_RELATED[i])]
                if i in SATELLITE_RELATED
                else None,
            }
            for i, (t, d, _p, _c) in enumerate(SATELLITES)
        ],
    )
    for event_id, (_t, _d, n2018, n2019) in zip(sat_ids, SATELLITES, strict=True):
        for year, n in ((2018, n2018), (2019, n2019)):
            [edition_id] = _report_insert(
                EventEdition,
                [
                    {
                        "tenant_id": tenant_id,
                        "event_id": event_id,
                        "year": year,
                        "starts_on": date(year, 10, 1),
                        "ends_on": date(year, 10, 2),
                    }
                ],
            )
            counts.append(
                {
                    "tenant_id": tenant_id,
                    "edition_id": edition_id,
                    "municipality_id": munis["г. Томск"],
                    "category": CountCategory.STUDENTS,
                    "count": n,
                }
            )
    db.session.execute(sa.insert(ParticipationCount), counts)
    return editions, event_ids


def _report_people(tenant_id, munis, orgs, editions) -> list[int]:
    plan = people_plan()
    rows = []
    for p in plan:
        admission = p.admission
        rows.append(
            {
                "tenant_id": tenant_id,
                "surname": p.surname,
                "name": p.name,
                "patronymic": p.patronymic,
                "birth_on": p.birth_on,
                "search_name": normalize_name(p.surname, p.name, p.patronymic),
                "organization_id": orgs[p.organization],
                "municipality_id": munis[p.municipality],
                "grade": p.grade,
                "status": p.status,
                "status_since": p.history[-1].on if p.history else None,
                "status_reason": p.history[-1].comment if p.history else None,
                "admission_on": admission.on if admission else None,
                "admission_edition_id": editions.get((admission.event_key, admission.year))
                if admission
                else None,
            }
        )
    person_ids = _report_insert(Person, rows)
    changes = []
    for person_id, p in zip(person_ids, plan, strict=True):
        previous = PersonStatus.NONE
        for step in p.history:
            changes.append(
                {
                    "tenant_id": tenant_id,
                    "person_id": person_id,
                    "from_status": previous,
                    "to_status": step.to,
                    "changed_on": step.on,
                    "action": step.action,
                    "comment": step.comment,
                    "edition_id": editions.get((step.event_key, step.year)),
                }
            )
            previous = step.to
    db.session.execute(sa.insert(PersonStatusChange), changes)
    return person_ids


def _report_issue5_guesses(tenant_id, orgs, person_ids, operator_id):
    plan = people_plan()
    partners = [n for n, _k in reference.PARTNERS] + reference.UNIVERSITIES
    db.session.execute(
        sa.insert(Partnership),
        [
            {
                "tenant_id": tenant_id,
                "organization_id": orgs[name],
                "started_on": date(2019, 3, 1 + i) if i in (0, 1, 6) else date(2012 + i % 6, 9, 1),
                "ended_on": date(2018, 12, 31) if i == 14 else None,
            }
            for i, name in enumerate(partners)
        ],
    )
    kinds = [
        ("Профильные смены ОЦ «Сириус»", OpportunityKind.PROFILE_SHIFT, 6),
        (
            "Профильные смены Томского регионального центра одарённых детей",
            OpportunityKind.PROFILE_SHIFT,
            17,
        ),
        ("Экспертная работа на аккредитованных мероприятиях", OpportunityKind.EXPERT_ROLE, 11),
    ]
    residents = [
        pid
        for pid, p in zip(person_ids, plan, strict=True)
        if p.status is PersonStatus.RESIDENT_SCHOOL
    ]
    placements, used = [], 0
    for title, kind, n in kinds:
        [opp_id] = _report_insert(
            Opportunity,
            [
                {
                    "tenant_id": tenant_id,
                    "kind": kind,
                    "title": title,
                    "year": 2019,
                    "partner_id": operator_id,
                }
            ],
        )
        for pid in residents[used : used + n]:
            placements.append(
                {
                    "tenant_id": tenant_id,
                    "opportunity_id": opp_id,
                    "person_id": pid,
                    "placed_on": date(2019, 7, 1),
                }
            )
        used += n
    db.session.execute(sa.insert(Placement), placements)
    sites = ["rcro.tomsk.ru", "НИ ТГУ", "НИ ТПУ", "ТГПУ", "Департамент образования", "ТУСУР"]
    agencies = ["РИА Томск", "ТВ2", "Томский обзор", "Tomsk.ru"]
    db.session.execute(
        sa.insert(Publication),
        [
            {
                "tenant_id": tenant_id,
                "title": f"Материал № {i + 1}",
                "outlet": outlet,
                "outlet_kind": kind,
                "published_on": date(2019, 1 + i % 12, 10),
            }
            for i, (outlet, kind) in enumerate(
                [(sites[i % 6], OutletKind.PARTNER_SITE) for i in range(13)]
                + [(agencies[i % 4], OutletKind.NEWS_AGENCY) for i in range(8)]
            )
        ],
    )


def load_report_demo() -> Tenant:
    """Build the demo's report-relevant rows (in the current app context) and commit."""
    tenant = Tenant(
        slug=TENANT_SLUG,
        name=TENANT_NAME,
        operator_name=OPERATOR,
        signatory="Директор ОГБУ «РЦРО»",
        settings={},
    )
    db.session.add(tenant)
    db.session.flush()
    reference.load(tenant)
    munis, orgs = _report_ids(Municipality, tenant.id), _report_ids(Organization, tenant.id)
    operator_id = orgs[reference.OPERATOR_ORG]
    decider = User(
        email="report-fixture-decider@example.test", password_hash="!", full_name="Оператор"
    )
    db.session.add(decider)
    db.session.flush()
    editions, event_ids = _report_events(tenant.id, operator_id, munis)
    apps = [
        {
            "number": f"ACC-2016-{i + 1:03d}",
            "event_id": event_id,
            "title": title,
            "direction": d,
            "state": ReviewState.ACCREDITED,
            "valid_from_year": 2016,
            "valid_to_year": 2021,
            "decided_at": datetime(2016, 1, 20),
            "decided_by_id": decider.id,
        }
        for i, (event_id, (title, _s, d)) in enumerate(
            zip(event_ids, ACCREDITED_EVENTS.values(), strict=True)
        )
    ] + [
        {
            "number": f"ACC-2020-{i + 1:03d}",
            "title": title,
            "direction": d,
            "state": ReviewState.IN_REVIEW,
        }
        for i, (title, d) in enumerate(CANDIDATES_2020)
    ]
    db.session.execute(
        sa.insert(AccreditationApplication),
        [
            {"tenant_id": tenant.id, "organizer_id": operator_id, "level": EventLevel.REGIONAL, **a}
            for a in apps
        ],
    )
    person_ids = _report_people(tenant.id, munis, orgs, editions)
    _report_issue5_guesses(tenant.id, orgs, person_ids, operator_id)
    db.session.commit()
    return tenant


# Table 1 of the report demo: (municipality, organisations, Residents), as the seed plans it.
TABLE1_SEED = [
    ("Александровский район", 0, 0),
    ("Асиновский район", 2, 5),
    ("Бакчарский район", 1, 3),
    ("Верхнекетский район", 1, 1),
    ("Зырянский район", 1, 3),
    ("Каргасокский район", 2, 2),
    ("Кожевниковский район", 2, 31),
    ("Колпашевский район", 1, 1),
    ("Кривошеинский район", 1, 3),
    ("Молчановский район", 0, 0),
    ("Парабельский район", 0, 0),
    ("Первомайский район", 4, 30),
    ("Тегульдетский район", 0, 0),
    ("Томский район", 9, 12),
    ("Чаинский район", 0, 0),
    ("Шегарский район", 2, 2),
    ("г. Кедровый", 0, 0),
    ("ЗАТО Северск", 15, 100),
    ("г.о. Стрежевой", 3, 4),
    ("г. Томск", 25, 115),
]
