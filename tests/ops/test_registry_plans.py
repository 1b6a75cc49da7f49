"""The registry's filter index serves a filtered page whatever its sort (issue 14): on
PostgreSQL ``ix_person_tenant_municipality_status`` holds the id and every sort's key, so
the page's ids are chosen by an index-only scan, without reading a person's row. The
planner is kept off the table (no sequential or bitmap scans: the test's tenant is small)
so the plan shows which index paths exist, not which one a tiny table makes cheapest."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.dialects import postgresql

from mkr_web.extensions import db
from mkr_web.models import Person
from mkr_web.queries.people import RegistryFilter, _filtered, _order
from tests.factories import make_person, municipality
from workflows.lifecycle import PersonStatus


@pytest.mark.postgresql
@pytest.mark.parametrize("sort", ["name", "birth", "admission", "status", "updated"])
def test_a_filtered_page_chooses_its_ids_from_the_filter_index_alone(factory, sort):
    t = factory.tenant()
    admin = factory.user(t, "admin")
    muni = municipality(t, "Первый район")
    for i in range(30):
        make_person(
            t,
            f"Ф{i:02d}",
            "Имя",
            municipality=muni.name,
            history=[("admit_school", date(2017, 2, 1 + i % 9))],
            commit=False,
        )
    for i in range(300):  # the rest of the tenant: the filter is selective
        make_person(t, f"Д{i:03d}", "Имя", municipality="Второй район", commit=False)
    db.session.commit()
    membership = admin.memberships[0]
    f = RegistryFilter(
        statuses=[PersonStatus.RESIDENT_SCHOOL],
        municipality_id=muni.id,
        admission_year=2017,
        sort=sort,
        desc=True,
    )
    page = _filtered(membership, f).order_by(*_order(f)).with_only_columns(Person.id).limit(51)
    sql = str(page.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE person")
        conn.exec_driver_sql("SET enable_seqscan = off")
        conn.exec_driver_sql("SET enable_bitmapscan = off")
        plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {sql}").scalars())
    assert "Index Only Scan using ix_person_tenant_municipality_status" in plan, plan
