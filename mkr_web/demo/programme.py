"""Demo data for criteria 3, 5 and 6 of 2019 (seed: "более чем 20 организациями-партнёрами";
Sirius shifts for 6 Residents, 8 regional shifts for 17, an internship at ПАО «КАМАЗ», 11
Residents in expert roles; "на 6 сайтах … а также на 4 сайтах информационных агентств …
более 20 … материалов"). Titles and outlets of publications are synthetic."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from workflows.lifecycle import PersonStatus

from ..extensions import db
from ..models import (
    Municipality,
    Opportunity,
    OpportunityKind,
    Organization,
    OrganizationKind,
    OutletKind,
    Partnership,
    Person,
    Placement,
    Publication,
    Tenant,
)
from .plan import people_plan
from .reference import OPERATOR_ORG, PARTNERS, UNIVERSITIES

YEAR = 2019
K = OrganizationKind
SIRIUS, KAMAZ = "Образовательный центр «Сириус»", "ПАО «КАМАЗ»"
BUSINESS_INCUBATOR = "Бизнес-инкубатор Томской области"
ATOM_CENTRE = "Информационный центр по атомной энергии"
ELECTIONS = "Избирательная комиссия Томской области"

# Partner organisations beyond the reference loader's: (name, kind, in the region?)
MORE_PARTNERS = [
    (SIRIUS, K.OTHER, False),
    (KAMAZ, K.BUSINESS, False),
    ("Департамент общего образования Томской области", K.AUTHORITY, True),
    (
        "Департамент по молодёжной политике, физической культуре и спорту Томской области",
        K.AUTHORITY,
        True,
    ),
    ("Томская торгово-промышленная палата", K.BUSINESS, True),
    ("Региональное отделение Общероссийского народного фронта в Томской области", K.NGO, True),
    ("Точка кипения ТУСУР", K.OTHER, True),
    (
        "Томский областной институт повышения квалификации работников образования",
        K.SUPPLEMENTARY,
        True,
    ),
]
NEW_IN_2019 = {KAMAZ: date(2019, 9, 1), "Точка кипения ТУСУР": date(2019, 11, 1)}

PARTNER_SITES = [
    "Сайт ОГБУ «РЦРО»",
    "Сайт Департамента общего образования Томской области",
    "Сайт НИ ТГУ",
    "Сайт НИ ТПУ",
    "Сайт Избирательной комиссии Томской области",
    "Сайт Информационного центра по атомной энергии",
]
NEWS_AGENCIES = [
    "ИА «Томский вестник»",
    "ИА «Сибирь-Медиа»",
    "ИА «Регион-70»",
    "ИА «Новости Томска»",
]
TOPICS = [
    "Итоги Сибирской молодёжной Ассамблеи «Профессии будущего»",
    "Конкурс «Мир начинается с меня» назвал победителей",
    "Форум «Новое поколение: кадровый резерв XXI века» собрал школьников области",
    "Областной этап акции «Я – гражданин России»: итоги",
    "Резиденты МКР — эксперты на аккредитованных мероприятиях",
    "Профильные смены регионального центра для одарённых детей",
    "Резиденты МКР на сменах ОЦ «Сириус»",
    "Стажировка команды школьников на ПАО «КАМАЗ»",
    "Предпринимательские школы: резиденты сопровождают проектные команды",
    "Истории успеха резидентов МКР",
    "Конференция «Исследовательский марафон»: итоги",
]

# (title, kind, partner, starts_on, days, school or student residents, how many)
SHIFT_THEMES = [
    "Химия",
    "Биология",
    "Физика",
    "Математика",
    "Информатика",
    "Робототехника",
    "Журналистика",
    "Экономика",
]
OPPORTUNITIES = [
    (
        "Профильная смена ОЦ «Сириус»: научно-технологическое направление",
        OpportunityKind.PROFILE_SHIFT,
        SIRIUS,
        date(2019, 3, 1),
        24,
        "school",
        3,
    ),
    (
        "Профильная смена ОЦ «Сириус»: проектная деятельность",
        OpportunityKind.PROFILE_SHIFT,
        SIRIUS,
        date(2019, 10, 1),
        24,
        "school",
        3,
    ),
    *[
        (
            f"Профильная смена Томского регионального центра выявления и поддержки одарённых детей «{theme}»",
            OpportunityKind.PROFILE_SHIFT,
            OPERATOR_ORG,
            date(2019, 1 + i, 10),
            5,
            "school",
            3 if i == 0 else 2,
        )
        for i, theme in enumerate(SHIFT_THEMES)
    ],
    (
        "Стажировка на предприятии ПАО «КАМАЗ»",
        OpportunityKind.INTERNSHIP,
        KAMAZ,
        date(2019, 9, 16),
        3,
        "kamaz",
        4,
    ),
    (
        "Экспертная работа на аккредитованных мероприятиях МКР",
        OpportunityKind.EXPERT_ROLE,
        OPERATOR_ORG,
        date(2019, 1, 23),
        340,
        "student",
        6,
    ),
    (
        "Сопровождение проектных команд городских предпринимательских школ",
        OpportunityKind.EXPERT_ROLE,
        BUSINESS_INCUBATOR,
        date(2019, 2, 1),
        300,
        "student",
        5,
    ),
    (
        "Практика в Бизнес-инкубаторе Томской области",
        OpportunityKind.PRACTICE,
        BUSINESS_INCUBATOR,
        date(2019, 7, 1),
        20,
        "student",
        7,
    ),
    (
        "Практика в Информационном центре по атомной энергии",
        OpportunityKind.PRACTICE,
        ATOM_CENTRE,
        date(2019, 7, 8),
        14,
        "student",
        5,
    ),
    (
        "Практика в Избирательной комиссии Томской области",
        OpportunityKind.PRACTICE,
        ELECTIONS,
        date(2019, 8, 5),
        10,
        "student",
        4,
    ),
]
KAMAZ_FROM_SIRIUS = 2  # of the internship's team, two came from a Sirius shift (seed)


def load(tenant: Tenant, persons: dict[str, Person]) -> dict[str, int]:
    made = {
        "partner_organizations": 0,
        "partnerships": 0,
        "publications": 0,
        "opportunities": 0,
        "placements": 0,
    }
    orgs = _partners(tenant, made)
    _publications(tenant, made)
    _opportunities(tenant, orgs, persons, made)
    db.session.flush()
    return made


def _partners(tenant: Tenant, made: dict) -> dict[str, Organization]:
    orgs = {
        o.name: o
        for o in db.session.scalars(
            sa.select(Organization).where(Organization.tenant_id == tenant.id)
        )
    }
    tomsk = db.session.scalar(
        sa.select(Municipality).where(
            Municipality.tenant_id == tenant.id, Municipality.name == "г. Томск"
        )
    )
    for name, kind, in_region in MORE_PARTNERS:
        if name not in orgs:
            orgs[name] = Organization(
                tenant_id=tenant.id, name=name, kind=kind, municipality=tomsk if in_region else None
            )
            db.session.add(orgs[name])
            made["partner_organizations"] += 1
    db.session.flush()
    names = UNIVERSITIES + [n for n, _k in PARTNERS] + [n for n, _k, _r in MORE_PARTNERS]
    have = set(
        db.session.scalars(
            sa.select(Partnership.organization_id).where(Partnership.tenant_id == tenant.id)
        )
    )
    for i, name in enumerate(names):
        org = orgs.get(name)
        if org is None or org.id in have:
            continue
        started = NEW_IN_2019.get(name) or date(2011 + i % 8, 1 + i % 12, 1)
        db.session.add(Partnership(tenant_id=tenant.id, organization_id=org.id, started_on=started))
        made["partnerships"] += 1
    return orgs


def _publications(tenant: Tenant, made: dict) -> None:
    have = set(
        db.session.execute(
            sa.select(Publication.title, Publication.published_on).where(
                Publication.tenant_id == tenant.id
            )
        ).all()
    )
    outlets = [(o, OutletKind.PARTNER_SITE) for o in PARTNER_SITES] + [
        (o, OutletKind.NEWS_AGENCY) for o in NEWS_AGENCIES
    ]
    for i in range(22):
        outlet, kind = outlets[i % len(outlets)]
        title = TOPICS[i % len(TOPICS)] + ("" if i < len(TOPICS) else " (репортаж)")
        published_on = date(YEAR, 1, 28) + timedelta(days=15 * i)
        if (title, published_on) not in have:
            db.session.add(
                Publication(
                    tenant_id=tenant.id,
                    title=title,
                    outlet=outlet,
                    outlet_kind=kind,
                    published_on=published_on,
                )
            )
            made["publications"] += 1


def _pools(persons: dict[str, Person]) -> dict[str, list[Person]]:
    """Residents active all through 2019 (admitted before it), spread over the plan."""
    school, student = [], []
    for spec in people_plan():
        if spec.key not in persons or spec.admission is None or spec.admission.on.year >= YEAR:
            continue
        if spec.status is PersonStatus.RESIDENT_SCHOOL and spec.grade.split()[0] in (
            "9",
            "10",
            "11",
        ):
            school.append(persons[spec.key])
        elif spec.status is PersonStatus.RESIDENT_STUDENT:
            student.append(persons[spec.key])
    return {"school": school[::3], "student": student[::3]}


def _opportunities(tenant: Tenant, orgs: dict, persons: dict[str, Person], made: dict) -> None:
    pools = _pools(persons)
    taken = {"school": 0, "student": 0}
    sirius_people: list[Person] = []
    for title, kind, partner, starts_on, days, source, count in OPPORTUNITIES:
        opp = db.session.scalar(
            sa.select(Opportunity).where(
                Opportunity.tenant_id == tenant.id,
                Opportunity.title == title,
                Opportunity.year == YEAR,
            )
        )
        if opp is None:
            opp = Opportunity(
                tenant_id=tenant.id,
                kind=kind,
                title=title,
                year=YEAR,
                partner_id=orgs[partner].id if partner in orgs else None,
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=days - 1),
            )
            db.session.add(opp)
            db.session.flush()
            made["opportunities"] += 1
        if source == "kamaz":
            pool_name, extra = "school", sirius_people[:KAMAZ_FROM_SIRIUS]
        else:
            pool_name, extra = source, []
        fresh = count - len(extra)
        chosen = extra + pools[pool_name][taken[pool_name] : taken[pool_name] + fresh]
        taken[pool_name] += fresh
        if title.startswith("Профильная смена ОЦ «Сириус»"):
            sirius_people += chosen
        placed = set(
            db.session.scalars(
                sa.select(Placement.person_id).where(Placement.opportunity_id == opp.id)
            )
        )
        for person in chosen:
            if person.id not in placed:
                db.session.add(
                    Placement(
                        tenant_id=tenant.id,
                        opportunity_id=opp.id,
                        person_id=person.id,
                        placed_on=starts_on,
                    )
                )
                made["placements"] += 1
