"""Demo persons from :func:`mkr_web.demo.plan.people_plan`, with their dated status
histories, consents (a parent's for minors), a few achievements and own projects.

Idempotent: persons are looked up by their natural key (normalised full name + birth date)
and only the missing ones are created, in bulk (a few statements for all 552). The basis of
an admission names the accredited event's edition; when the events demo has created that
edition, the status change and the person link to it.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa
from faker import Faker

from workflows.consent import expiry_of
from workflows.engine import SYSTEM
from workflows.lifecycle import PersonStatus

from ..extensions import db
from ..models import (
    Achievement,
    AchievementLevel,
    Consent,
    ConsentGiver,
    Event,
    EventEdition,
    Municipality,
    Organization,
    Person,
    PersonProject,
    Tenant,
    normalize_name,
)
from ..operations.people_bulk import Step, add_persons_bulk
from .plan import PersonSpec, people_plan
from .seed import ACCREDITED_EVENTS, RESIDENTS_AS_OF

PROJECTS = [
    ("Школьный медиацентр «Голос района»", "информационная"),
    ("Экологическая тропа в родном посёлке", "организационная"),
    ("Клуб юных исследователей Томи", "экспертная"),
    ("Городской квест по истории Томска", "информационная"),
    ("Мастерская робототехники для младших школьников", "организационная"),
    ("Волонтёрский отряд «Серебряный возраст»", "организационная"),
    ("Подкаст о профессиях будущего", "информационная"),
    ("Интеллектуальные игры для сельских школ", "экспертная"),
]
ROLES = ["руководитель", "участник команды"]
RESULTS = ["победитель", "призёр, 2 место", "призёр, 3 место"]
EXTRA = [
    ("Всероссийская олимпиада школьников, заключительный этап", AchievementLevel.ALL_RUSSIAN),
    ("Всероссийский конкурс «Большие вызовы»", AchievementLevel.ALL_RUSSIAN),
    (
        "Международный конкурс исследовательских работ «Шаг в будущее»",
        AchievementLevel.INTERNATIONAL,
    ),
    ("Муниципальная научно-практическая конференция школьников", AchievementLevel.MUNICIPAL),
]


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _phone(rng: random.Random) -> str:
    return f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"


def _basis(step, org_name: str | None) -> str | None:
    if step.event_key:
        short = ACCREDITED_EVENTS[step.event_key][1]
        return f"Победитель (призёр): {short}, {step.year}"
    if step.action == "admit_school":
        return "Включение по индивидуальным достижениям"
    if step.action == "enrol_university":
        return f"Поступление: {org_name}" if org_name else "Поступление в вуз"
    if step.action == "mark_potential":
        return "Анализ сообщества в социальной сети"
    return None


def _contacts(spec: PersonSpec, rng: random.Random, fake: Faker) -> dict:
    # A parent's contact for those who are minors now or were when they joined (and gave
    # the consent through that parent).
    first = spec.history[0].on - timedelta(days=10) if spec.history else RESIDENTS_AS_OF
    minor = min(_age(spec.birth_on, RESIDENTS_AS_OF), _age(spec.birth_on, first)) < 18
    data = {
        "email": f"{spec.key.lower()}@example.ru" if rng.random() < 0.8 else None,
        "phone": _phone(rng) if rng.random() < 0.9 else None,
        "social_url": f"https://vk.com/id{rng.randint(10**6, 10**9)}"
        if rng.random() < 0.6
        else None,
    }
    if minor:
        parent_first = fake.first_name_female() if rng.random() < 0.7 else fake.first_name_male()
        data.update(parent_name=f"{spec.surname} {parent_first}", parent_phone=_phone(rng))
    return data


def load(tenant: Tenant) -> dict[str, int]:
    existing = set(
        db.session.execute(
            sa.select(Person.search_name, Person.birth_on).where(Person.tenant_id == tenant.id)
        ).all()
    )
    munis = dict(
        db.session.execute(
            sa.select(Municipality.name, Municipality.id).where(Municipality.tenant_id == tenant.id)
        ).all()
    )
    orgs = dict(
        db.session.execute(
            sa.select(Organization.name, Organization.id).where(Organization.tenant_id == tenant.id)
        ).all()
    )
    titles = {v[0]: k for k, v in ACCREDITED_EVENTS.items()}
    editions = {
        (titles[title], year): eid
        for eid, title, year in db.session.execute(
            sa.select(EventEdition.id, Event.title, EventEdition.year)
            .join(Event, Event.id == EventEdition.event_id)
            .where(Event.tenant_id == tenant.id, Event.title.in_(titles))
        )
    }
    rng, fake = random.Random(3), Faker("ru_RU")
    fake.seed_instance(3)
    todo, items = [], []
    for spec in people_plan():
        # Contacts are drawn for every planned person so they do not depend on what exists.
        contacts = _contacts(spec, rng, fake)
        if (normalize_name(spec.surname, spec.name, spec.patronymic), spec.birth_on) in existing:
            continue
        data = {
            "surname": spec.surname,
            "name": spec.name,
            "patronymic": spec.patronymic,
            "birth_on": spec.birth_on,
            "grade": spec.grade,
            "municipality_id": munis[spec.municipality],
            "organization_id": orgs[spec.organization],
            **contacts,
        }
        steps, last = [], None
        for h in spec.history:
            # The plan may date an enrolment before the admission it follows (a December
            # edition): the history must stay ordered, so such a step moves to the next day.
            on = h.on if last is None or h.on > last else last + timedelta(days=1)
            last = on
            steps.append(
                Step(
                    h.action,
                    on,
                    _basis(h, spec.organization),
                    editions.get((h.event_key, h.year)) if h.event_key else None,
                    h.comment
                    or ("Выпуск из категории резидентов" if h.action == "graduate" else ""),
                )
            )
        todo.append(spec)
        items.append((data, steps))
    if not items:
        return {}
    persons = add_persons_bulk(tenant.id, items, role=SYSTEM, user_id=None, source="demo")
    made = {"persons": len(persons)}
    made.update(_extras(tenant.id, list(zip(todo, persons, strict=True))))
    return made


def _extras(tenant_id: int, pairs: list[tuple[PersonSpec, Person]]) -> dict[str, int]:
    rng = random.Random(5)
    consents, achievements, projects = [], [], []
    for i, (spec, person) in enumerate(pairs):
        first = spec.history[0].on if spec.history else None
        if first is not None:
            on = first - timedelta(days=10)
            parent = _age(spec.birth_on, on) < 18
            consents.append(
                {
                    "tenant_id": tenant_id,
                    "person_id": person.id,
                    "given_on": on,
                    "given_by": ConsentGiver.PARENT if parent else ConsentGiver.SELF,
                    "giver_name": person.parent_name if parent else person.full_name,
                    # the programme's one form: all three purposes, the default expiry
                    "covers_processing": True,
                    "covers_publication": True,
                    "covers_transfer": True,
                    "expires_on": expiry_of(on, spec.birth_on),
                }
            )
        admission = spec.admission
        if admission is not None and admission.event_key and i % 3 == 0:
            achievements.append(
                {
                    "tenant_id": tenant_id,
                    "person_id": person.id,
                    "title": ACCREDITED_EVENTS[admission.event_key][0],
                    "level": AchievementLevel.REGIONAL,
                    "result": rng.choice(RESULTS),
                    "achieved_on": admission.on - timedelta(days=20),
                    "is_success_story": i % 27 == 0,
                    "edition_id": person.admission_edition_id,
                }
            )
        if person.status.is_resident and i % 17 == 0:
            title, level = EXTRA[i % len(EXTRA)]
            achievements.append(
                {
                    "tenant_id": tenant_id,
                    "person_id": person.id,
                    "title": title,
                    "level": level,
                    "result": rng.choice(RESULTS),
                    "achieved_on": date(2019, 4, 1 + i % 28),
                    "is_success_story": level is not AchievementLevel.MUNICIPAL,
                    "edition_id": None,
                }
            )
        if (
            person.status in (PersonStatus.RESIDENT_STUDENT, PersonStatus.RESIDENT_SCHOOL)
            and i % 23 == 0
        ):
            title, support = PROJECTS[(i // 23) % len(PROJECTS)]
            projects.append(
                {
                    "tenant_id": tenant_id,
                    "person_id": person.id,
                    "title": title,
                    "role": ROLES[i % 2],
                    "support_kind": support,
                    "year": 2018 + i % 2,
                }
            )
    for model, rows in (
        (Consent, consents),
        (Achievement, achievements),
        (PersonProject, projects),
    ):
        if rows:
            db.session.execute(sa.insert(model), rows)
    return {"consents": len(consents), "achievements": len(achievements), "projects": len(projects)}
