"""The 2019 report of the real demo tenant reproduces the seed (DOMAIN 6, issue 6 "Done when" 4).

It loads the demo with ``load_demo`` (the loaders of issues 3–5 add events, editions,
participation counts, persons and their status histories) and reads the report through the
JSON route as the demo's admin and the Seversk coordinator. Until those loaders are merged
this test fails, by design: tests/test_report.py checks the same figures against
tests/report_fixtures.py, which builds the rows the demo is planned to have.
"""

from __future__ import annotations

import pytest

from mkr_web.demo import load_demo
from mkr_web.demo.seed import ACCREDITED_EVENTS, MOVED_NOTE, NOT_HELD_NOTE, SATELLITES, TABLE2
from mkr_web.extensions import db
from tests.factories import TABLE1_SEED
from tests.support import login

PASSWORD = "seed-demo-password"
OTHER_REGIONS = {"г. Кемерово", "г. Бердск Новосибирской области"}


@pytest.fixture
def demo(data_app):
    with data_app.app_context():
        load_demo(PASSWORD)
        db.session.commit()
        db.session.remove()


def _json(app, email, url):
    client = app.test_client()
    assert login(client, email, PASSWORD).status_code == 302
    resp = client.get(url)
    assert resp.status_code == 200
    return resp.get_json()


def test_demo_2019_report_reproduces_the_seed(app, demo):
    r = _json(app, "admin@tomsk.mkr.demo", "/admin/report.json?year=2019")
    assert r["as_of"] == "2020-01-01"
    res = r["residents"]
    assert (res["active"], res["school"], res["student"], res["potential"]) == (463, 312, 151, 77)
    # Table 1, row by row
    assert [
        (x["municipality"], x["organizations"], x["residents"]) for x in r["table1"]
    ] == TABLE1_SEED
    assert r["table1_total"] == {"organizations": 69, "residents": 312}
    assert r["municipalities_without_residents"] == [
        "Александровский район",
        "Молчановский район",
        "Парабельский район",
        "Тегульдетский район",
        "Чаинский район",
        "г. Кедровый",
    ]
    crit = {c["number"]: c for c in r["criteria"]}
    assert crit[1]["value"] == 124 and crit[1]["percent_of_plan"] == 165.3
    assert crit[2]["events_held"] == 5 and crit[2]["municipalities_reached"] == 15
    assert [y["participants"] for y in crit[2]["participants_by_year"]] == [2345, 2494, 2584]
    assert (crit[2]["change_previous_percent"], crit[2]["change_before_previous_percent"]) == (
        3.6,
        10.2,
    )
    assert crit[4]["value"] == 11 and crit[4]["participants"] == 2457
    # Table 2, 2017–2019: every edition of the five events, in the seed's order
    titles = [t for t, _s, _d in ACCREDITED_EVENTS.values()]
    keys = list(ACCREDITED_EVENTS)
    rows = r["table2"]
    assert [(x["year"], x["event"]) for x in rows] == [
        (y, t) for y in (2017, 2018, 2019) for t in titles
    ]
    for row in rows:
        expected = TABLE2[row["year"]][keys[titles.index(row["event"])]]
        assert row["municipalities"] + row["other_regions"] == sorted(
            expected,
            key=lambda m: (
                m in OTHER_REGIONS,
                [x[0] for x in TABLE1_SEED].index(m) if m not in OTHER_REGIONS else 0,
            ),
        ), (row["year"], row["event"])
        assert row["count"] == len(set(expected) - OTHER_REGIONS)
    assembly_2018, assembly_2019 = rows[5], rows[10]
    assert (assembly_2018["state"], assembly_2018["note"]) == ("not_held", NOT_HELD_NOTE)
    assert (assembly_2019["state"], assembly_2019["footnote"], assembly_2019["count"]) == (
        "moved",
        MOVED_NOTE,
        8,
    )
    assert r["municipalities_without_participation"] == [
        "Александровский район",
        "Молчановский район",
        "Тегульдетский район",
        "г. Кедровый",
    ]
    # Table 3, row by row; its 2019 total is the sum of its rows
    assert [(x["event"], x["participants_previous"], x["participants"]) for x in r["table3"]] == [
        (t, p, c) for t, _d, p, c in SATELLITES
    ]
    assert (r["table3_total"]["participants_previous"], r["table3_total"]["participants"]) == (
        2501,
        2457,
    )


def test_demo_coordinator_report_is_limited_to_seversk(app, demo):
    r = _json(app, "seversk@tomsk.mkr.demo", "/coordinator/report.json?year=2019")
    assert r["scope"]["municipalities"] == ["ЗАТО Северск"]
    assert r["table1"] == [{"municipality": "ЗАТО Северск", "organizations": 15, "residents": 100}]
    assert r["municipalities_without_participation"] == []
