"""The data migration of issue 16 turns the consents recorded before into records with purposes
and an expiry: run on its own SQLite database, from the revision before it to it."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import upgrade

from mkr_web.extensions import db
from tests.support import migrated_to


def test_existing_consents_get_all_purposes_and_the_tenants_expiry():
    with migrated_to(
        "i13_accounts_01",
        [
            "INSERT INTO tenant (id, slug, name, settings, created_at) VALUES "
            "(1, 'a', 'A', '{}', '2020-01-01'), "
            "(2, 'b', 'B', '{\"consent_years\": 2}', '2020-01-01')",
            "INSERT INTO person (id, tenant_id, surname, name, search_name, birth_on,"
            " status, is_anonymized, created_at, updated_at, version) VALUES "
            "(1, 1, 'А', 'Б', 'а б', '2005-03-04', 'none', 0, '2020-01-01',"
            " '2020-01-01', 1), "
            "(2, 2, 'В', 'Г', 'в г', NULL, 'none', 0, '2020-01-01', '2020-01-01', 1)",
            "INSERT INTO consent (id, tenant_id, person_id, given_on, given_by,"
            " recorded_at) VALUES (1, 1, 1, '2019-04-05', 'parent', '2020-01-01'),"
            " (2, 2, 2, '2019-04-05', 'self', '2020-01-01')",
        ],
    ):
        upgrade(revision="i16_pdata_01")
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT id, covers_processing, covers_publication, covers_transfer,"
                    " expires_on, withdrawn_on FROM consent ORDER BY id"
                )
            ).all()
    assert [tuple(r) for r in rows] == [
        (1, 1, 1, 1, "2028-03-04", None),  # 18 on 04.03.2023, plus 5 years
        (2, 1, 1, 1, "2021-04-05", None),  # no birth date: the day given, plus the tenant's 2
    ]
