"""Report definitions settled by DOMAIN §8 (issue 11 item 6), read through the JSON route:
Table 1 by the municipality of the school, "without Residents" by the person's own
municipality, criterion 5 counting only persons who were active Residents at the start."""

from datetime import date

import pytest

from mkr_web.extensions import db
from tests.factories import make_person, placement
from tests.support import login

ADMIT = "admit_school"


@pytest.fixture
def region(factory):
    t = factory.tenant(municipalities=("Центр", "Район А", "Район Б", "Район В"))
    admin = factory.user(t, "admin")
    lyceum = factory.organization(t, "Центр", name="Лицей", is_regional_subordination=True)
    school_a = factory.organization(t, "Район А", name="Школа А")
    university = factory.organization(t, "Центр", name="Университет", kind="university")
    on = date(2019, 3, 1)
    # a pupil from district А at the centre's lyceum: the centre's row
    p1 = make_person(
        t, "Первый", municipality="Район А", organization=lyceum, history=[(ADMIT, on)]
    )
    # a pupil of district А's school: district А's row
    p2 = make_person(t, "Второй", organization=school_a, history=[(ADMIT, date(2019, 5, 1))])
    # school unknown: the person's own municipality
    make_person(t, "Третий", municipality="Район Б", history=[(ADMIT, on)])
    # district В has only a university student: no Table 1 row, yet not "without Residents"
    make_person(
        t,
        "Студент",
        municipality="Район В",
        organization=university,
        history=[("admit_student", on)],
    )
    potential = make_person(
        t, "Потенциальный", municipality="Район Б", history=[("mark_potential", on)]
    )
    # criterion 5: p1 placed as a Resident; p2 placed before admission; a potential Resident
    placement(t, p1, date(2019, 6, 1))
    placement(t, p2, date(2019, 4, 1))
    placement(t, potential, date(2019, 7, 1))
    db.session.commit()
    return t, admin


def test_table1_by_school_and_criterion5_by_status_at_start(app, region):
    t, admin = region
    client = app.test_client()
    assert login(client, admin.email).status_code == 302
    r = client.get("/admin/report.json?year=2019").get_json()
    assert r["table1"] == [
        {"municipality": "Центр", "organizations": 1, "residents": 1},
        {"municipality": "Район А", "organizations": 1, "residents": 1},
        {"municipality": "Район Б", "organizations": 0, "residents": 1},
        {"municipality": "Район В", "organizations": 0, "residents": 0},
    ]
    assert r["table1_total"] == {"organizations": 2, "residents": 3}
    assert r["residents"] == {"active": 4, "school": 3, "student": 1, "potential": 1, "alumni": 0}
    # by the person's own municipality: the centre has no Resident living there
    assert r["municipalities_without_residents"] == ["Центр"]
    assert r["regional_organizations"] == [
        {"organization": "Лицей", "municipality": "Центр", "residents": 1}
    ]
    c5 = r["criteria"][4]
    assert (c5["value"], c5["not_residents"]) == (1, 2)
    assert [k["persons"] for k in c5["by_kind"] if k["kind"] == "internship"] == [1]
    html = client.get("/admin/report?year=2019").get_data(as_text=True)
    assert (
        "Критерий 5: разные люди, которые были действующими Резидентами на дату начала практики, "
        "стажировки или смены; не бывших Резидентами на эту дату (в критерий не входят): 2." in html
    )
