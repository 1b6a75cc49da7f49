"""Reference data of the Tomsk programme: municipalities (seed Table 1) and organisations.

School names are generic ("МБОУ «СОШ № 3» …"); the counts per municipality reproduce the
seed's Table 1 column "organisations where school Residents study" (69 in all, the two of
regional subordination included), plus a school in each municipality with no Residents and
the universities and partner organisations of the seed.
"""

from __future__ import annotations

from ..extensions import db
from ..models import Municipality, MunicipalityKind, Organization, OrganizationKind, Tenant

K = MunicipalityKind
MUNICIPALITIES = [
    ("Александровский район", K.DISTRICT),
    ("Асиновский район", K.DISTRICT),
    ("Бакчарский район", K.DISTRICT),
    ("Верхнекетский район", K.DISTRICT),
    ("Зырянский район", K.DISTRICT),
    ("Каргасокский район", K.DISTRICT),
    ("Кожевниковский район", K.DISTRICT),
    ("Колпашевский район", K.DISTRICT),
    ("Кривошеинский район", K.DISTRICT),
    ("Молчановский район", K.DISTRICT),
    ("Парабельский район", K.DISTRICT),
    ("Первомайский район", K.DISTRICT),
    ("Тегульдетский район", K.DISTRICT),
    ("Томский район", K.DISTRICT),
    ("Чаинский район", K.DISTRICT),
    ("Шегарский район", K.DISTRICT),
    ("г. Кедровый", K.CITY),
    ("ЗАТО Северск", K.ZATO),
    ("г.о. Стрежевой", K.CITY_OKRUG),
    ("г. Томск", K.CITY_OKRUG),
]
OTHER_REGIONS = ["г. Кемерово", "г. Бердск Новосибирской области"]

# Seed Table 1: municipality -> (organisations with school Residents, school Residents).
TABLE1 = {
    "Асиновский район": (2, 5),
    "Бакчарский район": (1, 3),
    "Верхнекетский район": (1, 1),
    "Зырянский район": (1, 3),
    "Каргасокский район": (2, 2),
    "Кожевниковский район": (2, 31),
    "Колпашевский район": (1, 1),
    "Кривошеинский район": (1, 3),
    "Первомайский район": (4, 30),
    "Томский район": (9, 12),
    "Шегарский район": (2, 2),
    "ЗАТО Северск": (15, 100),
    "г.о. Стрежевой": (3, 4),
    "г. Томск": (25, 115),
}

REGIONAL_SUBORDINATION = {
    "ЗАТО Северск": "ОГБОУ КШИ «Северский кадетский корпус»",
    "г. Томск": "ОГБОУ «Томский физико-технический лицей»",
}
OPERATOR_ORG = "ОГБУ «Региональный центр развития образования»"
UNIVERSITIES = ["НИ ТГУ", "НИ ТПУ", "ТГПУ", "СибГМУ", "ТГАСУ", "ТУСУР", "СТИ НИЯУ МИФИ"]
PARTNERS = [
    ("Избирательная комиссия Томской области", OrganizationKind.AUTHORITY),
    ("Молодежный парламент Томской области", OrganizationKind.AUTHORITY),
    ("Молодёжный совет г. Томска", OrganizationKind.NGO),
    ("Информационный центр по атомной энергии", OrganizationKind.NGO),
    ("Центр энергосбережения и энергоэффективности", OrganizationKind.NGO),
    ("Бизнес-инкубатор Томской области", OrganizationKind.BUSINESS),
    ("ТРО «Российское движение школьников»", OrganizationKind.NGO),
    ("Центр «Планирование карьеры»", OrganizationKind.SUPPLEMENTARY),
]


def school_names(municipality: str, count: int) -> list[str]:
    """Generic, stable school names for a municipality (the regional ones first)."""
    names = []
    if municipality in REGIONAL_SUBORDINATION:
        names.append(REGIONAL_SUBORDINATION[municipality])
    number = 1
    while len(names) < count:
        names.append(f"МБОУ «СОШ № {number}» ({municipality})")
        number += 1
    return names


def _get_or_add(model, tenant: Tenant, name: str, **fields) -> tuple[object, bool]:
    row = db.session.execute(
        db.select(model).where(model.tenant_id == tenant.id, model.name == name)
    ).scalar_one_or_none()
    if row is not None:
        return row, False
    row = model(tenant_id=tenant.id, name=name, **fields)
    db.session.add(row)
    return row, True


def load(tenant: Tenant) -> dict[str, int]:
    made = {"municipalities": 0, "organizations": 0}
    munis = {}
    for order, (name, kind) in enumerate(MUNICIPALITIES, start=1):
        munis[name], new = _get_or_add(Municipality, tenant, name, kind=kind, sort_order=order)
        made["municipalities"] += new
    for order, name in enumerate(OTHER_REGIONS, start=100):
        _, new = _get_or_add(Municipality, tenant, name, kind=K.OTHER_REGION, sort_order=order)
        made["municipalities"] += new
    db.session.flush()
    for name, _kind in MUNICIPALITIES:
        count = TABLE1.get(name, (1, 0))[0]
        for school in school_names(name, count):
            _, new = _get_or_add(
                Organization,
                tenant,
                school,
                kind=OrganizationKind.SCHOOL,
                municipality=munis[name],
                is_regional_subordination=school in REGIONAL_SUBORDINATION.values(),
            )
            made["organizations"] += new
    tomsk = munis["г. Томск"]
    extra = [(OPERATOR_ORG, OrganizationKind.SUPPLEMENTARY)]
    extra += [(u, OrganizationKind.UNIVERSITY) for u in UNIVERSITIES]
    extra += PARTNERS
    for name, kind in extra:
        muni = munis["ЗАТО Северск"] if name == "СТИ НИЯУ МИФИ" else tomsk
        _, new = _get_or_add(Organization, tenant, name, kind=kind, municipality=muni)
        made["organizations"] += new
    db.session.flush()
    return made
