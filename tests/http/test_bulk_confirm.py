"""The coordinator confirms many candidates with one submit; rows without a consent are refused
by name, the rest confirmed in one transaction; "next candidate"; the confirmation page that
asks before an irreversible action when JavaScript is off."""

from __future__ import annotations

import io
import re
from datetime import date

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AdmissionCandidate, Consent, Notification
from mkr_web.operations import admission as ops
from tests.factories import DIPLOMA_PDF, World, row
from tests.support import csrf_token, logged_in as _client, post_form
from workflows.admission import CandidateState

LIST = "/coordinator/admission/?state=submitted"


def _batch(w: World, n: int, municipality="Первый район", organization="МБОУ «СОШ № 1»"):
    rows = [
        row(surname=f"Фамилия{i:02d}", municipality=municipality, organization=organization)
        for i in range(n)
    ]
    batch = ops.create_batch(w.edition, rows, w.organizer)
    db.session.commit()
    return batch


def _states() -> dict[str, CandidateState]:
    db.session.expire_all()
    return dict(
        db.session.execute(sa.select(AdmissionCandidate.surname, AdmissionCandidate.state)).all()
    )


def test_thirty_candidates_with_one_submit_the_one_without_consent_refused_by_name(app, factory):
    w = World(factory)
    batch = _batch(w, 30)
    ids = [c.id for c in batch.candidates]
    client = _client(app, w.coord1)
    html = client.get(LIST).get_data(as_text=True)
    assert html.count('name="ids"') == 30
    data = {
        "csrf_token": csrf_token(client, LIST),
        "ids": [str(i) for i in ids],
        "consent_on": "2020-02-01",
        f"scan-{ids[1]}": (io.BytesIO(DIPLOMA_PDF), "soglasie.pdf"),
        f"consent_on-{ids[2]}": "2020-01-15",
    }
    for i in ids[2:]:  # the first has no consent at all, the second only its scan
        data[f"on_file-{i}"] = "1"
    resp = client.post(
        "/coordinator/admission/confirm", data=data, content_type="multipart/form-data"
    )
    assert resp.status_code == 302
    page = client.get(LIST).get_data(as_text=True)
    assert "Подтверждено кандидатов: 29." in page
    assert (
        "Не подтверждены: Фамилия00 Анна Игоревна — нет согласия: отметьте «оригинал у меня» "
        "или приложите скан." in page.replace("&#34;", '"')
    )
    states = _states()
    assert states.pop("Фамилия00") is CandidateState.SUBMITTED
    assert set(states.values()) == {CandidateState.CONFIRMED}
    consents = db.session.execute(sa.select(Consent.given_on, Consent.file_id)).all()
    assert len(consents) == 29
    assert sorted({d for d, _f in consents}) == [date(2020, 1, 15), date(2020, 2, 1)]
    assert sum(1 for _d, f in consents if f is not None) == 1  # the scanned one


def test_a_row_outside_the_coordinators_municipalities_is_404_and_nothing_is_confirmed(
    app, factory
):
    w = World(factory)
    mine = _batch(w, 2)
    theirs = _batch(w, 1, municipality="Второй район", organization="МБОУ «СОШ № 2»")
    client = _client(app, w.coord1)
    ids = [c.id for c in mine.candidates] + [theirs.candidates[0].id]
    data = {"ids": [str(i) for i in ids], "consent_on": "2020-02-01"}
    data |= {f"on_file-{i}": "1" for i in ids}
    resp = post_form(client, "/coordinator/admission/confirm", data, form_url=LIST)
    assert resp.status_code == 404
    assert set(_states().values()) == {CandidateState.SUBMITTED}


def test_admins_hear_once_when_the_bulk_confirmation_completes_the_batch(app, factory):
    w = World(factory)
    batch = _batch(w, 3)
    client = _client(app, w.coord1)
    ids = [c.id for c in batch.candidates]
    data = {"ids": [str(i) for i in ids], "consent_on": "2020-02-01"}
    data |= {f"on_file-{i}": "1" for i in ids}
    post_form(client, "/coordinator/admission/confirm", data, form_url=LIST)
    db.session.expire_all()
    told = (
        db.session.execute(
            sa.select(Notification.user_id).where(Notification.kind == "admission.confirmed_all")
        )
        .scalars()
        .all()
    )
    assert sorted(told) == sorted([w.admin.id, w.admin2.id])


def test_next_candidate_follows_protocol_order_and_wraps(app, factory):
    w = World(factory)
    batch = _batch(w, 3)
    first, second, third = batch.candidates
    client = _client(app, w.coord1)

    def next_of(c):
        html = client.get(f"/coordinator/admission/candidates/{c.id}").get_data(as_text=True)
        m = re.search(
            r'href="/coordinator/admission/candidates/(\d+)" data-testid="next-candidate"', html
        )
        return int(m.group(1)) if m else None

    assert next_of(first) == second.id
    assert next_of(third) == first.id  # from the start again
    ops.confirm_candidate(second, w.membership(w.coord1), consent_on=date(2020, 1, 1), on_file=True)
    db.session.commit()
    assert next_of(first) == third.id  # a confirmed one is skipped


def test_without_javascript_admit_all_asks_on_a_page_first(app, factory):
    w = World(factory)
    batch = _batch(w, 2)
    admin = w.membership(w.admin)
    for c in batch.candidates:
        ops.confirm_candidate(c, admin, consent_on=date(2020, 1, 1), on_file=True)
    db.session.commit()
    client = _client(app, w.admin)
    url = f"/admin/admission/batches/{batch.id}"
    html = client.get(url).get_data(as_text=True)
    assert 'data-confirm="Включить в банк всех подтверждённых кандидатов протокола' in html
    resp = post_form(client, f"{url}/admit-all", {}, form_url=url, confirm=False)
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert (
        f"Включить в банк всех подтверждённых кандидатов протокола {batch.number}: 2. "
        "Каждый станет резидентом, и ему будет выдано свидетельство." in page
    )
    assert set(_states().values()) == {CandidateState.CONFIRMED}  # nothing done yet
    form = re.search(
        r'<form method="post" action="([^"]+)" data-testid="confirm-page">(.*?)</form>', page, re.S
    )
    assert form.group(1) == f"{url}/admit-all"
    fields = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))
    )
    assert fields["confirmed"] == "1"
    resp = client.post(form.group(1), data=fields)
    assert resp.status_code == 302
    assert set(_states().values()) == {CandidateState.ADMITTED}
