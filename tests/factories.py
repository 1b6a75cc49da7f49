"""Every builder of test rows. Rows are committed; names are synthetic (never real people).

- :class:`Factory` (the ``factory`` fixture): tenants, municipalities, organisations, users.
- persons with a dated status history (:func:`make_person`, :func:`resident`);
- :class:`World`: one tenant with municipalities, schools, an organiser, coordinators,
  experts and an accredited event with a 2019 edition, shared by the admission, accreditation,
  nomination and programme tests (:func:`world` is its accreditation flavour,
  :func:`nomination_world` adds an opportunity and a pupil);
- accreditation applications and nominations driven through the real operations;
- the report's small builders and the report demo (:func:`load_report_demo`);
- roles and access: :class:`Side` (a world seen by its scopes, with workflow items built in
  any state), :class:`AccessWorld` (tenants A and B alike, one object of every kind behind
  every URL parameter of the app, ``RESOLVERS``), and "nothing changed" snapshots
  (:func:`table_rows`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
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
    Achievement,
    AchievementLevel,
    AdmissionBatch,
    CertificateKind,
    Consent,
    CountCategory,
    Direction,
    EditionState,
    Event,
    EventEdition,
    EventKind,
    EventLevel,
    Membership,
    Municipality,
    MunicipalityKind,
    NominationKind,
    Notification,
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
    TenantSSO,
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
from mkr_web.operations.events import EventData, save_event
from mkr_web.operations.people_bulk import Step, add_persons_bulk
from mkr_web.operations.tenancy import grant_role
from tests.support import PASSWORD, one_page_pdf
from workflows.lifecycle import PersonStatus
from workflows.review import ReviewState
from workflows.roles import Role

REGULATION_PDF = one_page_pdf("test regulation")
DIPLOMA_PDF = one_page_pdf("diploma")


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


def card_person(factory, municipality="Первый район", school="Гимназия № 2", **person):
    """(tenant, admin, school, a pupil with every contact and a two-step history); ``person``
    overrides the pupil's fields (another person with every contact)."""
    t = factory.tenant()
    admin = factory.user(t, "admin")
    school = factory.organization(t, municipality, name=school)
    fields = {
        "surname": "Карточкина",
        "name": "Мария",
        "patronymic": "Ивановна",
        "birth_on": date(2008, 2, 3),
        "grade": "9 класс",
        "email": "m@example.ru",
        "phone": "+7 900 111-22-33",
        "parent_name": "Карточкина Ольга",
        "parent_phone": "+7 900 222-33-44",
        "social_url": "https://vk.com/id42",
        "history": [("mark_potential", date(2018, 10, 1)), ("admit_school", date(2019, 5, 20))],
    }
    p = make_person(t, organization=school, **(fields | person))
    return t, admin, school, p


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


# The same row as a protocol's spreadsheet holds it, in the order of admission_rows.COLUMNS.
PROTOCOL_ANNA = [
    "Соколова",
    "Анна",
    "Игоревна",
    date(2004, 4, 12),
    "МБОУ «СОШ № 1»",
    "9 класс",
    "Первый район",
    "победитель",
    1,
    "Экология",
    "Соколова Ирина Павловна, +7 913 555-01-02",
]


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
        role=Role.EXPERT,
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
    organizer: User | None = None,
) -> AccreditationApplication:
    """A draft (or ``submitted``) application of ``organizer``'s organisation (default: the
    world's organiser)."""
    organizer = organizer or w.organizer
    regulation = (
        save_bytes(w.tenant.id, "regulation", "reg.pdf", REGULATION_PDF, "application/pdf")
        if with_regulation
        else None
    )
    app = acc.create_application(
        w.tenant.id,
        w.membership(organizer).organization,
        acc.ApplicationData(
            title=title,
            direction=Direction.PROJECT_RESEARCH,
            level=EventLevel.REGIONAL,
            expected_participants=300,
        ),
        user_id=organizer.id,
        regulation=regulation,
        number=number,
    )
    if submitted:
        acc.submit(app, role=Role.ORGANIZER, user_id=organizer.id)
    db.session.commit()
    return app


def application_in_review(w: World, experts=None, **kw) -> AccreditationApplication:
    app = application(w, submitted=True, **kw)
    reviews.assign_experts(
        SubjectType.ACCREDITATION,
        app,
        [e.id for e in (experts or (w.expert1, w.expert2))],
        role=Role.ADMIN,
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
    acc.accredit(app, *valid, role=Role.ADMIN, user_id=w.admin.id)
    db.session.commit()
    return app


def pdf_upload(name="diploma.pdf", data=DIPLOMA_PDF) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type="application/pdf")


def nomination_draft(
    w: World, person=None, kind=NominationKind.ADMISSION, coordinator: User | None = None, **kw
):
    """A draft by ``coordinator`` (default: ``coord1``) of ``person`` (default: the pupil)."""
    data = nominations_ops.NominationData(
        kind=kind,
        description=kw.pop("description", "Победитель всероссийской олимпиады"),
        achievement_level=kw.pop("level", AchievementLevel.ALL_RUSSIAN),
        opportunity=w.opportunity if kind is NominationKind.OPPORTUNITY else None,
    )
    author = w.membership(coordinator or w.coord1)
    n = nominations_ops.create_nomination(author, person or w.pupil, data, **kw)
    db.session.commit()
    return n


def nomination_submitted(w: World, coordinator: User | None = None, **kw):
    n = nomination_draft(w, coordinator=coordinator, **kw)
    author = w.membership(coordinator or w.coord1)
    nominations_ops.add_evidence(n, author, pdf_upload())
    nominations_ops.submit(n, author)
    db.session.commit()
    return n


def nomination_in_review(w: World, **kw):
    n = nomination_submitted(w, **kw)
    reviews.assign_experts(
        SubjectType.NOMINATION, n, [w.expert.id, w.expert2.id], role=Role.ADMIN, actor_id=w.admin.id
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


def saved_event(
    tenant,
    organizer,
    title,
    *,
    kind=EventKind.SATELLITE,
    direction=Direction.MEDIA,
    level=EventLevel.REGIONAL,
    partners=(),
) -> Event:
    """An event saved through the events operation (its checks and audit), as the forms do."""
    data = EventData(
        title=title,
        kind=kind,
        direction=direction,
        level=level,
        organizer=organizer,
        partners=list(partners),
    )
    return save_event(tenant.id, data)


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


def achievement(p, title, achieved_on, **fields) -> Achievement:
    """A regional win of person ``p`` written as a stored row (not committed); ``fields``: the
    model's others (is_success_story, another level or result)."""
    row = Achievement(
        tenant_id=p.tenant_id,
        person_id=p.id,
        title=title,
        achieved_on=achieved_on,
        **({"level": AchievementLevel.REGIONAL, "result": "победитель"} | fields),
    )
    db.session.add(row)
    return row


def consent(p, given_on, given_by="parent", **fields) -> Consent:
    """A consent of person ``p`` written as a stored row (no operation, not committed);
    ``fields``: the model's others (giver_name, file, expires_on, withdrawn_on, covers_*)."""
    c = Consent(
        tenant_id=p.tenant_id, person_id=p.id, given_on=given_on, given_by=given_by, **fields
    )
    db.session.add(c)
    return c


def tenant_sso(tenant, provider, client_id: str, secret: str) -> TenantSSO:
    """The project's single sign-on through the test OIDC ``provider`` with a client registered
    there (label "Томский ID", e-mail claim, no accounts created for unknown users), committed."""
    conf = TenantSSO(
        tenant_id=tenant.id,
        label="Томский ID",
        issuer=provider.issuer,
        client_id=client_id,
        client_secret=secret,
        email_claim="email",
        create_unknown=False,
        is_enabled=True,
    )
    db.session.add(conf)
    db.session.commit()
    return conf


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
            "number": f"ЗАЯВ-2016-{i + 1:03d}",
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
            "number": f"ЗАЯВ-2020-{i + 1:03d}",
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


# ---- roles and access: a tenant with every role and scope, items in any state ----------------


def certificate_task_twice(tenant_id: int, kind: str, subject_id: int) -> list[int]:
    """The certificate task of ``kind`` for ``subject_id`` run for two jobs in-process (as the
    worker would), then the first job delivered again (done already: a no-op): the jobs' ids."""
    from mkr_web.models import Job
    from mkr_web.operations import certificates
    from mkr_web.operations.jobs import run_job
    from mkr_web.tasks import render_certificate

    jobs = []
    for _ in range(2):
        job = Job(
            tenant_id=tenant_id,
            kind="certificate",
            key=f"{kind}:{subject_id}",
            params={"kind": kind, "subject_id": subject_id},
        )
        db.session.add(job)
        db.session.commit()
        jobs.append(job.id)
        render_certificate.run(job.id)
    run_job(jobs[0], certificates.issue_and_render)
    return jobs


def stored_pdf(tenant_id: int, kind: str, user_id: int | None = None):
    return save_bytes(tenant_id, kind, f"{kind}.pdf", REGULATION_PDF, "application/pdf", user_id)


@dataclass
class Actor:
    """Who acts, in which role: what a view passes to an operation."""

    role: str
    user: User
    membership: Membership


class Side(World):
    """A :class:`World` seen by its scopes: ``coordinator`` (= ``coord1``) holds ``first``,
    ``organizer`` holds ``center`` (= ``rcro``), ``expert`` is assigned what the builders
    assign to it. ``other_coordinator`` (``second``), ``other_organizer`` (``other_center``,
    with its own accredited event ``other_event``) and ``other_expert`` lie outside those
    scopes; ``platform`` is a platform admin. The ``*_in`` builders put an item in a given
    state through the operations, acting in the roles the workflow tables allow."""

    def __init__(self, factory: Factory, slug: str):
        super().__init__(factory, slug, admins=1, experts=3)
        self.coordinator, self.other_coordinator = self.coord1, self.coord2
        self.center, self.other_center = self.rcro, self.other_org
        self.other_expert = self.expert3
        self.platform = factory.user(
            None, None, email=f"platform@{self.tenant.slug}.test", platform_admin=True
        )
        self.other_event = Event(
            tenant_id=self.tenant.id,
            title="Олимпиада другого организатора",
            kind=EventKind.ACCREDITED,
            direction=Direction.PROJECT_RESEARCH,
            organizer_id=self.other_center.id,
        )
        db.session.add(self.other_event)
        db.session.flush()
        self.other_edition = EventEdition(
            tenant_id=self.tenant.id,
            event_id=self.other_event.id,
            year=2019,
            starts_on=date(2019, 4, 10),
            ends_on=date(2019, 4, 12),
        )
        db.session.add(self.other_edition)
        db.session.commit()

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

    def person_in(self, status: str, surname: str = "Тестова", municipality=None) -> Person:
        """A person of ``municipality`` (default: ``first``) whose lifecycle status is
        ``status``, with its dated history."""
        history = {
            "none": [],
            "potential": [("mark_potential", date(2018, 1, 10))],
            "resident_school": [("admit_school", date(2018, 5, 1))],
            "resident_student": [("admit_student", date(2018, 5, 1))],
            "alumni": [("admit_student", date(2018, 5, 1)), ("graduate", date(2019, 6, 1))],
        }[status]
        municipality = municipality or self.first
        school = self.school1 if municipality is self.first else self.school2
        return make_person(
            self.tenant,
            surname=surname,
            name="Анна",
            birth_on=date(2006, 9, 1),
            organization=school,
            municipality=municipality,
            grade="9 класс",
            history=history,
        )

    def application_in(self, state: str, organizer: User | None = None):
        """An application of ``organizer``'s organisation (default: ``center``) in ``state``,
        reviewed by ``expert`` and ``expert2``."""
        app = application(self, submitted=state != "draft", organizer=organizer)
        if state == "returned":
            acc.decide(app, "return", "Уточните", role=Role.ADMIN, user_id=self.admin.id)
        if state in ("in_review", "reviewed", "accredited", "rejected", "expired"):
            experts = [self.expert.id, self.expert2.id]
            reviews.assign_experts(
                SubjectType.ACCREDITATION, app, experts, role=Role.ADMIN, actor_id=self.admin.id
            )
            db.session.commit()
        if state in ("reviewed", "accredited", "rejected", "expired"):
            score(app, self.expert, [8, 8, 8, 8, 4])
            score(app, self.expert2, [9, 9, 9, 9, 5])
        if state in ("accredited", "expired"):
            acc.accredit(app, 2019, 2021, role=Role.ADMIN, user_id=self.admin.id)
        if state == "rejected":
            acc.decide(app, "reject", "Не подходит", role=Role.ADMIN, user_id=self.admin.id)
        if state == "expired":
            acc.process_expiry(today=date(2022, 1, 1))
        db.session.commit()
        assert app.state.value == state, (app.state, state)
        return app

    def nomination_in(self, state: str, coordinator: User | None = None):
        """A nomination (admission on achievements) by ``coordinator`` (default: the side's)
        of a new person of that coordinator's first municipality, in ``state``."""
        author = coordinator or self.coordinator
        person = self.person_in(
            "none", "Выдвинутая", municipality=self.membership(author).municipalities[0]
        )
        if state == "draft":
            n = nomination_draft(self, person, coordinator=author)
            nominations_ops.add_evidence(n, self.membership(author), pdf_upload())
        else:
            n = nomination_submitted(self, person=person, coordinator=author)
        admin = self.membership(self.admin)
        if state == "returned":
            nominations_ops.decide(n, admin, "return", "Уточните")
        if state in ("in_review", "reviewed", "approved", "rejected"):
            experts = [self.expert.id, self.expert2.id]
            reviews.assign_experts(
                SubjectType.NOMINATION, n, experts, role=Role.ADMIN, actor_id=self.admin.id
            )
            db.session.commit()
        if state in ("reviewed", "approved", "rejected"):
            score(n, self.expert, [8, 4, 9, 4])
            score(n, self.expert2, [9, 5, 8, 5])
        if state == "approved":
            nominations_ops.approve(n, admin)
        if state == "rejected":
            nominations_ops.decide(n, admin, "reject", "Нет оснований")
        db.session.commit()
        assert n.state.value == state, (n.state, state)
        return n

    def candidate_in(self, state: str, edition: EventEdition | None = None, surname="Соколова"):
        """One candidate of a results protocol of ``edition`` (default: ``center``'s event,
        a pupil of ``first``; ``other_edition``: of ``second``), in ``state``."""
        edition = edition or self.edition
        ours = edition.event_id == self.event.id
        municipality, school = (self.first, self.school1) if ours else (self.second, self.school2)
        batch = admission_ops.create_batch(
            edition,
            [row(surname=surname, organization=school.name, municipality=municipality.name)],
            self.organizer if ours else self.other_organizer,
        )
        candidate = batch.candidates[0]
        checker = self.membership(self.coordinator if ours else self.other_coordinator)
        if state == "needs_fix":
            admission_ops.return_candidate(candidate, checker, "Опечатка в фамилии")
        if state in ("confirmed", "admitted", "rejected"):
            admission_ops.confirm_candidate(
                candidate, checker, consent_on=date(2019, 4, 1), on_file=True
            )
        admin = self.membership(self.admin)
        if state == "admitted":
            admission_ops.admit_candidate(candidate, admin, on=date(2019, 5, 1))
        if state == "rejected":
            admission_ops.reject_candidate(candidate, admin, "Нет диплома")
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


# the session behind the cookie notes its last request (once a minute): bookkeeping of the
# visit itself, not an effect of the request
NOT_EFFECTS = {"user_session", "api_token"}  # (an API token notes its use and rate window)


def changed_tables(before: dict, after: dict) -> dict[str, tuple[int, int]]:
    """``{table: (rows before, rows after)}`` for each table whose rows differ."""
    return {
        name: (len(before[name]), len(after[name]))
        for name in before
        if before[name] != after[name] and name not in NOT_EFFECTS
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
        self.assignment = assignment_of(self.application, s.expert)
        self.assignment_out = assignment_of(self.application_out, s.other_expert)
        self.criterion = reviews.ensure_rubric(t.id, SubjectType.ACCREDITATION).criteria[0]
        # a Resident of the coordinator's municipality, and one of the other municipality
        self.person = s.person_in("resident_school", surname="Резидентова")
        self.person_out = s.person_in("resident_school", surname="Чужая", municipality=s.second)
        self.consent, self.achievement, self.project = self._records(self.person, people)
        self.consent_out, self.achievement_out, self.project_out = self._records(
            self.person_out, people
        )
        # a likely duplicate pair (the admin's duplicates page and its merge form)
        from mkr_web.models import DuplicatePair

        self.pair = DuplicatePair(
            tenant_id=t.id,
            person_a_id=min(self.person.id, self.person_out.id),
            person_b_id=max(self.person.id, self.person_out.id),
            score=85,
            reason="та же дата рождения, похожее ФИО",
        )
        db.session.add(self.pair)
        # an approved destruction batch with its act and log extract
        from mkr_web.models import DestructionBatch, DestructionState

        self.destruction = DestructionBatch(
            tenant_id=t.id,
            number="УНИЧ-2026-001",
            state=DestructionState.DONE,
            person_ids=[],
            reasons={},
            approved_by_id=s.admin.id,
            approved_on=date(2026, 1, 1),
            act_file=stored_pdf(t.id, "destruction_act"),
            log_file=stored_pdf(t.id, "destruction_log"),
        )
        db.session.add(self.destruction)
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
        self.resident_certificate, self.resident_certificate_out = resident, resident_out
        # an e-mail that failed: the admin's outbox offers to resend it
        from mkr_web.models import MailState

        self.notification = Notification(
            tenant_id=t.id,
            user_id=s.expert.id,
            kind="review.assigned",
            subject="Назначена экспертиза",
            mail_state=MailState.FAILED,
            mail_attempts=6,
        )
        db.session.add(self.notification)
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
            "municipalities": (s.admin, s.other_coordinator),
            "organizations": (s.admin, s.other_coordinator),
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
        self._accounts(s)
        db.session.commit()

    def _accounts(self, s: Side) -> None:
        """A pending invitation and a password-reset link (their tokens, read from the mails
        as the invitee would), and a live session of each user."""
        from mkr_web.models import UserSession
        from mkr_web.operations import accounts, invitations

        def link_token(email: str) -> str:
            from mkr_web.models import AccountNotification

            mail = db.session.scalars(
                sa.select(AccountNotification)
                .join(User, User.id == AccountNotification.user_id)
                .where(User.email == email)
                .order_by(AccountNotification.id.desc())
            ).first()
            return mail.link.rsplit("/", 1)[1]

        invitee = f"invitee@{s.tenant.slug}.org"
        self.invitation = invitations.invite(
            s.tenant, invitee, Role.EXPERT, full_name="Приглашённый Эксперт", actor=s.admin
        )
        self.invitation_token = link_token(invitee)
        accounts.request_reset(s.expert.email, None)
        self.reset_token = link_token(s.expert.email)
        self.sessions: dict[str, int] = {}
        holders = {
            "admin": s.admin,
            "coordinator": s.coordinator,
            "organizer": s.organizer,
            "expert": s.expert,
            "platform-admin": s.platform,
        }
        for role, user in holders.items():
            row = UserSession(user_id=user.id, token_hash=f"{role}-{s.tenant.slug}", method="x")
            db.session.add(row)
            db.session.flush()
            self.sessions[role] = row.id
        # personal API tokens (every scope of the role) of the roles that may hold one
        from mkr_web.operations.api_tokens import create_token, scopes_for

        self.api_tokens: dict[str, int] = {}
        self.api_secrets: dict[str, str] = {}
        for role in ("admin", "coordinator", "organizer"):
            user = holders[role]
            membership = s.membership(user)
            new = create_token(user, membership, "matrix", scopes_for(membership.role), 30)
            self.api_tokens[role], self.api_secrets[role] = new.token.id, new.secret

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


class AccessWorld:
    """Tenant A and tenant B, built alike (:class:`Stock`), plus a platform admin. The access
    matrix asks it for the value of every URL parameter of every rule: the object the acting
    role reaches in A (:meth:`value`), and the objects it must not reach: B's of the same kind
    and A's outside its scope (:meth:`outside`)."""

    def __init__(self):
        factory = Factory()
        self.a = Stock(Side(factory, "tenant-a"))
        self.b = Stock(Side(factory, "tenant-b"))

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
    elif endpoint.endswith("municipalities_import_preview"):
        importer = "municipalities"
    elif endpoint.endswith("organizations_import_preview"):
        importer = "organizations"
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


def _session(st: Stock, endpoint: str, role: str):
    """The acting user's own session; another user's of the same tenant lies outside."""
    other = "expert" if role != "expert" else "admin"
    return st.sessions.get(role), [st.sessions[other]]


def _certificate(st: Stock, endpoint: str, role: str):
    """The admin's and the organiser's: the accreditation certificate; the coordinator's: the
    Resident certificate of their municipality's person."""
    if role == "coordinator":
        return st.resident_certificate.id, [
            st.resident_certificate_out.id,
            st.certificate.id,
        ]
    if role == "organizer":
        return st.certificate.id, [st.resident_certificate.id]
    return st.certificate.id, []


def _api_token(st: Stock, endpoint: str, role: str):
    """The acting user's own API token; another user's lies outside."""
    other = "coordinator" if role != "coordinator" else "admin"
    return st.api_tokens.get(role), [st.api_tokens[other]]


RESOLVERS = {
    "application_id": _scoped("application", ("organizer",)),
    "assignment_id": _scoped("assignment", ("expert",)),
    "batch_id": _attr("candidate.batch_id", "candidate_out.batch_id", ("organizer",)),
    "candidate_id": _scoped("candidate", ("coordinator", "organizer")),
    "certificate_id": _certificate,
    "consent_id": _attr("consent.id", "consent_out.id", ("admin", "coordinator")),
    "criterion_id": _attr("criterion.id"),
    "destruction_id": _attr("destruction.id"),
    "edition_id": _attr("side.edition.id", "side.other_edition.id", ("organizer",)),
    "event_id": _attr("side.event.id", "side.other_event.id", ("organizer",)),
    "file_id": _file,
    "invitation_id": _attr("invitation.id"),
    "item_id": _item,
    "job_id": _job,
    "membership_id": lambda st, e, r: (st.side.membership(st.side.coordinator).id, []),
    "municipality_id": _attr("side.first.id"),
    "nomination_id": _scoped("nomination", ("coordinator",)),
    "notification_id": _attr("notification.id"),
    "opportunity_id": _attr("opportunity.id"),
    "organization_id": lambda st, e, r: (
        (st.side.center.id, [st.side.school1.id, st.side.other_center.id])
        if r == "organizer" and e.startswith("api.")  # the API: an organiser's own only
        else _attr("side.school1.id", "side.school2.id", ("coordinator",))(st, e, r)
    ),
    "pair_id": _attr("pair.id"),
    "partnership_id": _attr("partnership.id"),
    "person_id": _scoped("person", ("coordinator",)),
    "placement_id": _attr("placement.id"),
    "preview_id": _preview,
    "publication_id": _attr("publication.id"),
    "session_id": _session,
    "token_id": _api_token,
    # not objects: a value the rule's converter accepts
    "action": lambda st, e, r: ("reject", []),
    "code": lambda st, e, r: (st.certificate.code, []),
    "filename": _static,
    "fmt": lambda st, e, r: ("xlsx", []),
    "kind": lambda st, e, r: (
        "accreditation.submitted" if "notification_template" in e else "accreditation",
        [],
    ),
    "slug": lambda st, e, r: (st.side.tenant.slug, []),
    "token": lambda st, e, r: (
        st.invitation_token if e == "auth.invitation" else st.reset_token,
        [],
    ),
}


# ---- API tokens --------------------------------------------------------------------------------


def api_token(user: User, membership=None, scopes=None, days: int = 30) -> str:
    """A personal API token of ``user`` for ``membership`` (default: their first), with every
    scope of its role unless ``scopes`` says otherwise; returns the secret."""
    from mkr_web.operations.api_tokens import create_token, scopes_for

    membership = membership or sorted(user.memberships, key=lambda m: m.id)[0]
    wanted = scopes_for(membership.role) if scopes is None else scopes
    new = create_token(user, membership, "test", wanted or ["reference:read"], days)
    db.session.commit()
    return new.secret
