"""The report's JSON through the page reproduces the seed."""

from __future__ import annotations

from tests.factories import TABLE1_SEED
from tests.support import login


def test_seed_reproduced_through_json(app, report_demo):
    tenant, admin = report_demo
    client = app.test_client()
    login(client, admin.email)
    resp = client.get("/admin/report.json?year=2019")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    r = resp.get_json()
    assert r["as_of"] == "2020-01-01"
    assert r["residents"] == {
        "active": 463,
        "school": 312,
        "student": 151,
        "potential": 77,
        "alumni": 10,
    }
    assert [
        (row["municipality"], row["organizations"], row["residents"]) for row in r["table1"]
    ] == TABLE1_SEED
    assert r["table1_total"] == {"organizations": 69, "residents": 312}
    assert r["regional_organizations"] == [
        {
            "organization": "ОГБОУ «Томский физико-технический лицей»",
            "municipality": "г. Томск",
            "residents": 5,
        },
        {
            "organization": "ОГБОУ КШИ «Северский кадетский корпус»",
            "municipality": "ЗАТО Северск",
            "residents": 7,
        },
    ]
    assert r["municipalities_without_residents"] == [
        "Александровский район",
        "Молчановский район",
        "Парабельский район",
        "Тегульдетский район",
        "Чаинский район",
        "г. Кедровый",
    ]
    c = {x["number"]: x for x in r["criteria"]}
    assert (
        c[1]["value"],
        c[1]["threshold"],
        c[1]["met"],
        c[1]["percent_of_plan"],
        c[1]["over_plan_percent"],
    ) == (124, 75, True, 165.3, 65.3)
    assert (
        c[2]["events_held"],
        c[2]["participants"],
        c[2]["change_previous_percent"],
        c[2]["change_before_previous_percent"],
        c[2]["municipalities_reached"],
        c[2]["met"],
    ) == (5, 2584, 3.6, 10.2, 15, True)
    assert [y["participants"] for y in c[2]["participants_by_year"]] == [2345, 2494, 2584]
    assert set(c[2]["municipalities_reached_names"]) == {
        "г. Томск",
        "ЗАТО Северск",
        "г.о. Стрежевой",
        "Асиновский район",
        "Бакчарский район",
        "Верхнекетский район",
        "Зырянский район",
        "Каргасокский район",
        "Кожевниковский район",
        "Кривошеинский район",
        "Парабельский район",
        "Первомайский район",
        "Томский район",
        "Чаинский район",
        "Шегарский район",
    }
    assert (c[4]["value"], c[4]["participants"], c[4]["met"]) == (11, 2457, True)
    assert r["municipalities_without_participation"] == [
        "Александровский район",
        "Молчановский район",
        "Тегульдетский район",
        "г. Кедровый",
    ]
