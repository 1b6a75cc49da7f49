"""The data migration of issue 17 gives the numbers stored before it the Cyrillic prefixes
(ACC- → ЗАЯВ-, NOM- → ВЫДВ-, ADM- → ПРОТ-) and its downgrade gives them back: run on its own
SQLite database, from the revision before it to it and back."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from mkr_web.extensions import db
from tests.support import migrated_to

ROWS = [
    (
        "INSERT INTO accreditation_application (id, tenant_id, number, organizer_id, title,"
        " direction, level, regularity, audience, expected_participants, selection_method, state,"
        " created_at, version) VALUES (1, 1, 'ACC-2019-001', 1, 'Олимпиада', 'project_research',"
        " 'municipal', '', '', 0, '', 'draft', '2019-01-01', 1),"
        " (2, 1, 'ACC-2020-012', 1, 'Конкурс', 'project_research', 'municipal', '', '', 0, '',"
        " 'draft', '2020-01-01', 1)"
    ),
    (
        "INSERT INTO nomination (id, tenant_id, number, kind, person_id, municipality_id,"
        " description, state, created_at, version) VALUES (1, 1, 'NOM-2019-003', 'admission', 1,"
        " 1, '', 'draft', '2019-01-01', 1)"
    ),
    (
        "INSERT INTO admission_batch (id, tenant_id, number, edition_id, created_at) VALUES"
        " (1, 1, 'ADM-2019-004', 1, '2019-01-01')"
    ),
]


def _numbers(conn) -> list[str]:
    return [
        n
        for table in ("accreditation_application", "nomination", "admission_batch")
        for n in conn.execute(sa.text(f"SELECT number FROM {table} ORDER BY id")).scalars()
    ]


def test_stored_numbers_take_the_cyrillic_prefixes_and_give_them_back():
    tenant = (
        "INSERT INTO tenant (id, slug, name, settings, created_at) VALUES "
        "(1, 'a', 'A', '{}', '2020-01-01')"
    )
    with migrated_to("i14_scale_01", [tenant, *ROWS]):
        upgrade(revision="i17_numbers_01")
        with db.engine.connect() as conn:
            after = _numbers(conn)
        downgrade(revision="i14_scale_01")
        with db.engine.connect() as conn:
            back = _numbers(conn)
    assert after == ["ЗАЯВ-2019-001", "ЗАЯВ-2020-012", "ВЫДВ-2019-003", "ПРОТ-2019-004"]
    assert back == ["ACC-2019-001", "ACC-2020-012", "NOM-2019-003", "ADM-2019-004"]
