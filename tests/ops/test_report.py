"""The report's numbers: the seed reproduced from the demo's planned rows (through the JSON
route), every definition on a small hand-built tenant, and a constant number of queries."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import (
    CountCategory,
    EditionState,
    EventKind,
    OpportunityKind as OK,
    OutletKind,
    Tenant,
)
from mkr_web.queries.report import build_report
from tests import factories as b
from workflows.lifecycle import PersonStatus as S
from workflows.review import ReviewState as R


def test_seed_tables_2_and_3(app_ctx, report_demo):
    from mkr_web.demo.seed import MOVED_NOTE, NOT_HELD_NOTE, SATELLITES, TABLE2

    tenant, _ = report_demo
    r = build_report(tenant.id, 2019)
    rows = r["table2"]
    assert [(x["year"], x["state"]) for x in rows][:6] == [(2017, "held")] * 5 + [
        (2018, "not_held")
    ]
    assert len(rows) == 15
    titles = [x["event"] for x in rows[:5]]
    for row in rows:
        key = list(TABLE2[row["year"]])[titles.index(row["event"])]
        expected = TABLE2[row["year"]][key]
        assert set(row["municipalities"]) | set(row["other_regions"]) == set(expected), (
            row["year"],
            key,
        )
        assert row["count"] == len(
            [m for m in expected if m not in ("г. Кемерово", "г. Бердск Новосибирской области")]
        )
    assert rows[5]["note"] == NOT_HELD_NOTE and rows[5]["municipalities"] == []
    assert (
        rows[10]["state"] == "moved"
        and rows[10]["footnote"] == MOVED_NOTE
        and rows[10]["count"] == 8
    )
    assert r["table2_footnotes"] == [MOVED_NOTE]
    assert [x["count"] for x in rows if x["year"] == 2017] == [
        8,
        5,
        7,
        6,
        6,
    ]  # the forum's is 5, not "(3)"
    assert rows[0]["other_regions"] == ["г. Кемерово"]
    assert [(x["event"], x["participants_previous"], x["participants"]) for x in r["table3"]] == [
        (t, p, c) for t, _d, p, c in SATELLITES
    ]
    assert (
        r["table3_total"]["participants"] == 2457
        and r["table3_total"]["participants_previous"] == 2501
    )
    research = next(
        d
        for d in r["table3_by_direction"]
        if d["direction"] == "Проектная и исследовательская деятельность"
    )
    assert (
        research["participants_previous"],
        research["participants"],
        research["change_percent"],
    ) == (1725, 1771, 2.7)


@pytest.fixture
def small(app_ctx, factory):
    """A hand-built tenant exercising every definition (2019 report)."""
    t = factory.tenant(municipalities=("Первый район", "Второй район", "Третий район"))
    m1, m2, m3 = t.municipalities
    far = b.other_region(t)
    s1 = b.org(t, m1, "Школа 1")
    s2 = b.org(t, m1, "Лицей региональный", regional=True)
    s3 = b.org(t, m2, "Школа 3")
    people = {
        "a": b.person(
            t, m1, s1, [(date(2018, 5, 1), S.POTENTIAL), (date(2019, 3, 1), S.RESIDENT_SCHOOL)]
        ),
        "b": b.person(
            t,
            m1,
            s2,
            [(date(2018, 6, 1), S.RESIDENT_SCHOOL), (date(2019, 9, 1), S.RESIDENT_STUDENT)],
        ),
        "c": b.person(
            t, m2, s3, [(date(2017, 4, 1), S.RESIDENT_SCHOOL), (date(2019, 5, 1), S.EXCLUDED)]
        ),
        # same-day changes: the later record wins
        "d": b.person(
            t, m2, s3, [(date(2019, 10, 1), S.POTENTIAL), (date(2019, 10, 1), S.RESIDENT_SCHOOL)]
        ),
        "e": b.person(t, m1, s1, [(date(2019, 7, 1), S.POTENTIAL)]),
        "f": b.person(t, None, None, [(date(2016, 7, 1), S.RESIDENT_SCHOOL)]),  # no municipality
        "g": b.person(t, m1, s1, [(date(2020, 2, 1), S.RESIDENT_SCHOOL)]),  # after the as-of date
    }
    acc = b.event(t, "Аккредитованное А")
    b.edition(acc, 2017, counts={m1: 10, (m1, CountCategory.TEACHERS): 2, far: 3})
    b.edition(acc, 2018, EditionState.NOT_HELD, "Не проводилось: перенос")
    b.edition(
        acc, 2019, EditionState.MOVED, "Перенесено на январь", counts={m1: 20, m2: 5, None: 4}
    )
    listed = b.event(t, "Аккредитованное Б")
    e2019 = b.edition(listed, 2019)
    for key in ("a", "c", "d"):
        b.participate(e2019, people[key])
    b.participate(e2019, people["a"], role="winner")  # the same person twice: counted once
    b.edition(listed, 2018, counts={m2: 0})  # a zero count is no participation
    sat = b.event(t, "Спутник 1", EventKind.SATELLITE)
    b.edition(sat, 2018, counts={m1: 40})
    b.edition(sat, 2019, counts={m1: 50, m2: 10})
    sat2 = b.event(t, "Спутник 2", EventKind.SATELLITE, direction="pedagogy")
    b.edition(sat2, 2019, EditionState.NOT_HELD, "Отменено", counts={m1: 99})
    sat3 = b.event(t, "Спутник 3", EventKind.SATELLITE)
    b.edition(sat3, 2018, counts={m1: 7})
    b.accreditation(t, s1, "ЗАЯВ-1", R.ACCREDITED, (2019, 2021), datetime(2018, 12, 20), "Новое")
    b.accreditation(t, s1, "ЗАЯВ-2", R.ACCREDITED, (2016, 2018), datetime(2016, 1, 5), "Истекшее")
    b.accreditation(t, s1, "ЗАЯВ-3", R.REJECTED, decided_at=datetime(2019, 2, 1))
    b.accreditation(t, s1, "ЗАЯВ-4", R.EXPIRED, (2014, 2016), datetime(2014, 1, 5))
    b.accreditation(t, s1, "ЗАЯВ-5", R.ACCREDITED, (2017, 2020), datetime(2019, 3, 5), "Продлённое")
    b.partnership(t, b.org(t, m1, "Партнёр 1"), date(2019, 3, 1))
    b.partnership(t, b.org(t, m1, "Партнёр 2"), date(2015, 1, 1), date(2019, 6, 30))
    b.partnership(t, b.org(t, m1, "Партнёр 3"), date(2020, 2, 1))
    b.placement(t, people["a"], date(2019, 7, 1), OK.PROFILE_SHIFT)
    b.placement(t, people["a"], date(2019, 8, 1), OK.EXPERT_ROLE)
    b.placement(t, people["c"], date(2019, 2, 1))
    b.placement(t, people["b"], date(2018, 7, 1))
    b.publication(t, date(2019, 2, 1), "rcro.tomsk.ru")
    b.publication(t, date(2019, 3, 1), "rcro.tomsk.ru")
    b.publication(t, date(2019, 4, 1), "РИА Томск", OutletKind.NEWS_AGENCY)
    b.publication(t, date(2018, 4, 1), "РИА Томск", OutletKind.NEWS_AGENCY)
    db.session.commit()
    return t, (m1, m2, m3), people


def _crit(r, n):
    return next(c for c in r["criteria"] if c["number"] == n)


def test_definitions(small):
    t, (m1, m2, m3), _ = small
    r = build_report(t.id, 2019)
    assert r["residents"] == {"active": 4, "school": 3, "student": 1, "potential": 1, "alumni": 0}
    assert r["table1"] == [
        {"municipality": "Первый район", "organizations": 1, "residents": 1},
        {"municipality": "Второй район", "organizations": 1, "residents": 1},
        {"municipality": "Третий район", "organizations": 0, "residents": 0},
    ]
    assert r["table1_total"] == {"organizations": 2, "residents": 2} and r["table1_unassigned"] == 1
    assert r["regional_organizations"] == [
        {"organization": "Лицей региональный", "municipality": "Первый район", "residents": 0}
    ]
    assert r["municipalities_without_residents"] == ["Третий район"]
    assert _crit(r, 1)["value"] == 2  # a and d; b was first admitted in 2018, g after D
    c2 = _crit(r, 2)
    assert (c2["events_held"], c2["participants"], c2["municipalities_reached"]) == (2, 32, 2)
    assert [y["participants"] for y in c2["participants_by_year"]] == [15, 0, 32]
    assert (c2["change_previous_percent"], c2["change_before_previous_percent"], c2["met"]) == (
        None,
        113.3,
        True,
    )
    assert (c2["newly_accredited_titles"], c2["expired_titles"], c2["accredited_valid"]) == (
        ["Новое", "Продлённое"],
        ["Истекшее"],
        2,
    )
    c3 = _crit(r, 3)
    assert (c3["active"], c3["value"], c3["met"]) == (1, 1, False)
    c4 = _crit(r, 4)
    assert (c4["value"], c4["participants"], c4["events_met"], c4["participants_met"]) == (
        1,
        60,
        False,
        False,
    )
    c5 = _crit(r, 5)
    assert c5["value"] == 2
    assert {k["kind"]: k["persons"] for k in c5["by_kind"]} == {
        "internship": 1,
        "practice": 0,
        "profile_shift": 1,
        "expert_role": 1,
    }
    c6 = _crit(r, 6)
    assert c6["value"] == 3
    assert c6["by_outlet_kind"] == [
        {
            "kind": "partner_site",
            "title": "Сайт учредителя или партнёра",
            "publications": 2,
            "outlets": 1,
        },
        {
            "kind": "news_agency",
            "title": "Информационное агентство",
            "publications": 1,
            "outlets": 1,
        },
    ]
    rows = [
        (
            x["year"],
            x["event"],
            x["state"],
            x["municipalities"],
            x["other_regions"],
            x["count"],
            x["note"],
            x["footnote"],
        )
        for x in r["table2"]
    ]
    assert rows == [
        (2017, "Аккредитованное А", "held", ["Первый район"], ["г. Кемерово"], 1, None, None),
        (2018, "Аккредитованное А", "not_held", [], [], 0, "Не проводилось: перенос", None),
        (2018, "Аккредитованное Б", "held", [], [], 0, None, None),
        (
            2019,
            "Аккредитованное А",
            "moved",
            ["Первый район", "Второй район"],
            [],
            2,
            None,
            "Перенесено на январь",
        ),
        (2019, "Аккредитованное Б", "held", ["Первый район", "Второй район"], [], 2, None, None),
    ]
    assert r["municipalities_without_participation"] == ["Третий район"]
    assert r["coverage"]["rows"][0] == {
        "municipality": "Первый район",
        "editions": [1, 0, 2],
        "participants": [12, 0, 21],
    }
    assert [
        (x["event"], x["participants_previous"], x["participants"], x["change"])
        for x in r["table3"]
    ] == [("Спутник 1", 40, 60, 20), ("Спутник 2", None, 0, 0), ("Спутник 3", 7, None, -7)]
    assert r["table3_total"] == {
        "participants_previous": 47,
        "participants": 60,
        "change": 13,
        "change_percent": 27.7,
        "events": 3,
    }
    assert [(d["direction"], d["participants"]) for d in r["table3_by_direction"]] == [
        ("Проектная и исследовательская деятельность", 60),
        ("Педагогика", 0),
    ]


def test_any_as_of_date(small):
    t, _, _ = small
    mid = build_report(t.id, 2019, as_of=date(2019, 6, 30))
    assert mid["as_of"] == "2019-06-30" and mid["period"] == {
        "start": "2019-01-01",
        "end": "2019-06-30",
    }
    # a: school since March; b: still school; f: school; c: excluded in May; d, e: nothing yet
    assert mid["residents"] == {"active": 3, "school": 3, "student": 0, "potential": 0, "alumni": 0}
    assert _crit(mid, 1)["value"] == 1
    assert _crit(mid, 3)["active"] == 2 and _crit(mid, 3)["value"] == 1  # Партнёр 2 ends on 30 June
    assert _crit(mid, 5)["value"] == 1 and _crit(mid, 6)["value"] == 3
    late = build_report(t.id, 2019, as_of=date(2020, 3, 1))
    assert late["residents"]["school"] == 4  # g joined in February 2020
    assert _crit(late, 1)["value"] == 2  # but g's admission is not in 2019
    early = build_report(t.id, 2018, as_of=date(2018, 12, 31))
    assert early["residents"] == {
        "active": 3,
        "school": 3,
        "student": 0,
        "potential": 1,
        "alumni": 0,
    }
    assert _crit(early, 1)["value"] == 1 and early["years"] == [2016, 2017, 2018]


def test_coordinator_scope(small):
    t, (m1, m2, m3), _ = small
    r = build_report(t.id, 2019, municipality_ids=[m2.id, m3.id])
    assert r["scope"] == {
        "kind": "municipalities",
        "municipalities": ["Второй район", "Третий район"],
    }
    assert r["residents"] == {"active": 1, "school": 1, "student": 0, "potential": 0, "alumni": 0}
    assert [x["municipality"] for x in r["table1"]] == ["Второй район", "Третий район"]
    assert r["table1_total"] == {"organizations": 1, "residents": 1} and r["table1_unassigned"] == 0
    assert r["regional_organizations"] == []
    assert r["municipalities_without_residents"] == ["Третий район"]
    assert [
        (x["year"], x["municipalities"], x["other_regions"], x["count"]) for x in r["table2"]
    ] == [
        (2017, [], [], 0),
        (2018, [], [], 0),
        (2018, [], [], 0),
        (2019, ["Второй район"], [], 1),
        (2019, ["Второй район"], [], 1),
    ]
    assert r["municipalities_without_participation"] == ["Третий район"]
    assert [row["municipality"] for row in r["coverage"]["rows"]] == [
        "Второй район",
        "Третий район",
    ]
    whole = build_report(t.id, 2019)
    for n in range(1, 7):  # criteria stay programme-wide …
        assert _crit(r, n)["value"] == _crit(whole, n)["value"]
    # … with local values for the coordinator's municipalities
    assert (_crit(r, 1)["local_value"], _crit(r, 2)["local_value"], _crit(r, 5)["local_value"]) == (
        1,
        7,
        1,
    )
    assert _crit(whole, 1)["local_value"] is None


def test_thresholds_are_tenant_settings(small):
    t, _, _ = small
    t.settings = {"thresholds": {"1": 2, "6": 4}}
    db.session.commit()
    r = build_report(t.id, 2019)
    assert r["thresholds"] == {
        "1": 2,
        "3": 2,
        "4_events": 10,
        "4_participants": 650,
        "5": 50,
        "6": 4,
    }
    c1 = _crit(r, 1)
    assert (c1["threshold"], c1["met"], c1["percent_of_plan"], c1["over_plan_percent"]) == (
        2,
        True,
        100.0,
        0.0,
    )
    assert (_crit(r, 6)["threshold"], _crit(r, 6)["met"]) == (4, False)


def test_other_tenants_rows_do_not_count(small, factory):
    t, _, _ = small
    before = build_report(t.id, 2019)
    other = factory.tenant("other", municipalities=("Первый район",))
    m = other.municipalities[0]
    b.person(other, m, None, [(date(2019, 2, 1), S.RESIDENT_SCHOOL)])
    b.edition(b.event(other, "Чужое"), 2019, counts={m: 500})
    b.publication(other, date(2019, 5, 1), "чужой сайт")
    db.session.commit()
    after = build_report(t.id, 2019)
    assert after == before


@contextmanager
def count_queries():
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        if not statement.startswith("SET LOCAL"):  # a planner setting on PostgreSQL
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


def test_constant_number_of_queries(small):
    t, (m1, m2, _m3), people = small
    db.session.expire_all()
    with count_queries() as few:
        build_report(t.id, 2019)
    more = [
        b.person(t, m2, None, [(date(2019, 1, 1 + i % 28), S.RESIDENT_SCHOOL)]) for i in range(60)
    ]
    for i in range(12):
        ev = b.event(t, f"Ещё событие {i}", EventKind.ACCREDITED if i % 2 else EventKind.SATELLITE)
        ed = b.edition(ev, 2019)
        b.edition(ev, 2018, counts={m1: i + 1})
        for p in more[i::4]:
            b.participate(ed, p)
        b.placement(t, more[i], date(2019, 4, 1))
        b.publication(t, date(2019, 4, 1), f"сайт {i}")
        b.partnership(t, b.org(t, m1, f"Партнёр-{i}"), date(2019, 1, 1))
    db.session.commit()
    db.session.expire_all()
    with count_queries() as many:
        r = build_report(t.id, 2019)
    assert r["residents"]["school"] == 63 and len(r["table2"]) == 5 + 12
    # one scan of the status history (issue 14) and the schools' municipalities (DOMAIN 8.1)
    assert len(many) == len(few) == 13, many


def test_unknown_tenant(app_ctx):
    with pytest.raises(LookupError):
        build_report(999_999, 2019)
    assert db.session.get(Tenant, 999_999) is None
