"""The demo tenant ``tomsk``: reference data and users; later sections add their data.

Every loader is idempotent: it looks rows up by natural keys and creates only what is
missing, so a second ``flask mkr demo`` changes nothing. People are synthetic.
"""

from __future__ import annotations

from workflows.roles import Role

from ..extensions import db
from ..models import Tenant
from ..operations.tenancy import create_tenant, create_user_with_role
from . import admission, events, nominations, people, reference

TENANT_SLUG = "tomsk"
TENANT_NAME = "Молодёжный кадровый ресурс Томской области"
OPERATOR = "ОГБУ «Региональный центр развития образования»"

DEMO_USERS = [
    # (email, role, municipalities, organization, full name)
    ("platform@mkr.demo", Role.PLATFORM_ADMIN, [], None, "Администратор платформы"),
    ("admin@tomsk.mkr.demo", Role.ADMIN, [], None, "Оператор РЦРО"),
    ("seversk@tomsk.mkr.demo", Role.COORDINATOR, ["ЗАТО Северск"], None, "Координатор Северска"),
    (
        "pervomayskiy@tomsk.mkr.demo",
        Role.COORDINATOR,
        ["Первомайский район"],
        None,
        "Координатор Первомайского района",
    ),
    ("organizer@tomsk.mkr.demo", Role.ORGANIZER, [], reference.OPERATOR_ORG, "Организатор РЦРО"),
    ("expert1@tomsk.mkr.demo", Role.EXPERT, [], None, "Эксперт Первый"),
    ("expert2@tomsk.mkr.demo", Role.EXPERT, [], None, "Эксперт Второй"),
]


def load_demo(password: str) -> dict:
    """Create or complete the demo tenant. Returns counts of what was created."""
    created: dict[str, int] = {}
    tenant = db.session.execute(
        db.select(Tenant).where(Tenant.slug == TENANT_SLUG)
    ).scalar_one_or_none()
    if tenant is None:
        tenant = create_tenant(TENANT_SLUG, TENANT_NAME)
        tenant.operator_name = OPERATOR
        tenant.signatory = "Директор ОГБУ «РЦРО»"
        tenant.settings = {**(tenant.settings or {}), "time_zone": "Asia/Tomsk"}
        created["tenant"] = 1
    created.update(reference.load(tenant))
    users = 0
    for email, role, munis, org, name in DEMO_USERS:
        _, changed = create_user_with_role(
            TENANT_SLUG,
            email,
            password,
            role,
            municipality_names=munis,
            organization_name=org,
            full_name=name,
        )
        users += int(changed)
    created["users"] = users
    db.session.flush()
    # Events need the demo users (the accreditation history names its organiser, admin and
    # experts); they come before the people, whose admissions refer to the editions.
    created.update(events.load(tenant))
    # Persons after the events (their admissions link the editions when those exist).
    created.update(people.load(tenant))
    db.session.flush()
    # After the events and people loaders: it reads their editions and persons.
    created.update(admission.load(tenant))
    # After admission: nominations are the records behind some of its statuses and placements.
    created.update(nominations.load(tenant))
    return {k: v for k, v in created.items() if v}
