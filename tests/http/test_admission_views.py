"""Admission pages through real HTTP: organiser, coordinator, admin; scopes, roles, races."""

import io
import re
from datetime import date

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import (
    AdmissionBatch,
    AdmissionCandidate,
    AuditEntry,
    Consent,
    Job,
    PersonStatusChange,
)
from mkr_web.operations import admission as ops
from tests.factories import World, row
from tests.support import (
    csrf_token,
    logged_in as client_for,
    one_page_pdf,
    post_form,
)
from workflows.admission import CandidateState
from workflows.lifecycle import PersonStatus

C = CandidateState


def _form_rows(rows: list[dict], count: int = 10) -> dict:
    data = {"rows": str(count), "send": "1"}
    for i, r in enumerate(rows, start=1):
        for key, value in r.items():
            data[f"r{i}-{key}"] = value
    return data


def _batch(world, rows):
    batch = ops.create_batch(world.edition, rows, world.organizer)
    db.session.commit()
    return batch


def _state(candidate_id):
    db.session.expire_all()
    return db.session.get(AdmissionCandidate, candidate_id).state


def test_organiser_types_a_protocol(app, world):
    client = client_for(app, world.organizer)
    page = client.get("/organizer/admission/").get_data(as_text=True)
    assert "Конференция «Шаг в науку»" in page and "Фестиваль идей" not in page  # accredited only
    url = f"/organizer/admission/editions/{world.edition.id}/protocol"
    form = client.get(url).get_data(as_text=True)
    assert form.count('name="r10-surname"') == 1 and 'name="r11-surname"' not in form
    # "add rows" keeps what was typed and adds ten more
    resp = post_form(client, url, {"rows": "10", "more": "1", "r1-surname": "Соколова"})
    html = resp.get_data(as_text=True)
    assert 'name="r20-surname"' in html and 'name="r1-surname" value="Соколова"' in html

    bad = [
        row(),
        {},
        row(
            surname="Кузнецов",
            birth_date="31.31.2004",
            municipality="Второй район",
            organization="Нет такой школы",
        ),
    ]
    resp = post_form(client, url, _form_rows(bad))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    errors = re.findall(r"<li>(Строка \d+, «[^»]+»: [^<]+)</li>", html)
    assert errors == [
        "Строка 3, «Дата рождения»: нужна дата в формате ДД.ММ.ГГГГ",
        "Строка 3, «Образовательная организация»: организация «Нет такой школы» не найдена в справочнике",
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AdmissionBatch)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AdmissionCandidate)) == 0

    good = [
        row(),
        {},
        row(surname="Кузнецов", municipality="Второй район", organization="МБОУ «СОШ № 2»"),
    ]
    resp = post_form(client, url, _form_rows(good))
    batch = db.session.execute(sa.select(AdmissionBatch)).scalar_one()
    assert (
        resp.status_code == 302
        and resp.headers["Location"] == f"/organizer/admission/batches/{batch.id}"
    )
    assert [(c.row_no, c.surname) for c in batch.candidates] == [(1, "Соколова"), (3, "Кузнецов")]
    page = client.get(f"/organizer/admission/batches/{batch.id}").get_data(as_text=True)
    assert "ПРОТ-2019-001" in page and page.count('data-state="submitted"') == 2
    # «№» numbers the table's rows (1, 2), not the file's (1, 3, the blank row skipped)
    assert '<tr data-row="3" data-state="submitted">\n    <td>2</td>' in page


def test_organiser_scope(app, world, factory):
    batch = _batch(world, [row()])
    other = client_for(app, world.other_organizer)
    assert (
        other.get(f"/organizer/admission/editions/{world.edition.id}/protocol").status_code == 404
    )
    assert other.get(f"/organizer/admission/batches/{batch.id}").status_code == 404
    assert (
        other.get(f"/organizer/admission/candidates/{batch.candidates[0].id}/fix").status_code
        == 404
    )
    own = client_for(app, world.organizer)
    assert (
        own.get(f"/organizer/admission/editions/{world.satellite_edition.id}/protocol").status_code
        == 404
    )
    foreign = World(factory)
    foreign_batch = ops.create_batch(foreign.edition, [row()], foreign.organizer)
    db.session.commit()
    assert (
        own.get(f"/organizer/admission/editions/{foreign.edition.id}/protocol").status_code == 404
    )
    assert own.get(f"/organizer/admission/batches/{foreign_batch.id}").status_code == 404


def test_coordinator_confirms_and_returns_organiser_fixes(app, world):
    batch = _batch(
        world,
        [
            row(),
            row(surname="Кузнецов", municipality="Второй район", organization="МБОУ «СОШ № 2»"),
            row(surname="Третьякова", municipality="Третий район", organization="МБОУ «СОШ № 3»"),
        ],
    )
    first, second, third = (c.id for c in batch.candidates)
    c1 = client_for(app, world.coord1)
    listing = c1.get("/coordinator/admission/").get_data(as_text=True)
    assert re.findall(r'data-candidate="(\d+)"', listing) == [str(first)]
    # other municipality's candidate: 404; the unassigned one too
    assert c1.get(f"/coordinator/admission/candidates/{second}").status_code == 404
    assert c1.get(f"/coordinator/admission/candidates/{third}").status_code == 404
    assert (
        post_form(
            c1,
            f"/coordinator/admission/candidates/{second}/confirm",
            {"consent_on": "2019-04-01", "on_file": "y"},
            form_url="/coordinator/admission/",
        ).status_code
        == 404
    )
    # the view of a candidate's personal data is audited
    url = f"/coordinator/admission/candidates/{first}"
    assert c1.get(url).status_code == 200
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                AuditEntry.action == "admission_candidate.view", AuditEntry.object_id == first
            )
        )
        == 1
    )
    # neither scan nor "on file": refused, nothing changes
    resp = post_form(c1, f"{url}/confirm", {"consent_on": "2019-04-01"}, form_url=url)
    assert resp.status_code == 302 and _state(first) is C.SUBMITTED
    assert "Приложите скан согласия" in c1.get(url).get_data(as_text=True)
    token = csrf_token(c1, url)
    resp = c1.post(
        f"{url}/confirm",
        data={
            "csrf_token": token,
            "consent_on": "2019-04-01",
            "scan": (io.BytesIO(one_page_pdf("scan")), "consent.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302 and _state(first) is C.CONFIRMED
    consent = db.session.execute(sa.select(Consent)).scalar_one()
    assert (consent.given_on, consent.file.filename, consent.recorded_by_id) == (
        date(2019, 4, 1),
        "consent.pdf",
        world.coord1.id,
    )

    c2 = client_for(app, world.coord2)
    url2 = f"/coordinator/admission/candidates/{second}"
    assert post_form(c2, f"{url2}/return", {"reason": ""}, form_url=url2).status_code == 400
    assert (
        post_form(c2, f"{url2}/return", {"reason": "Другая школа"}, form_url=url2).status_code
        == 302
    )
    assert _state(second) is C.NEEDS_FIX

    org = client_for(app, world.organizer)
    fix_url = f"/organizer/admission/candidates/{second}/fix"
    page = org.get(fix_url).get_data(as_text=True)
    assert "Другая школа" in page and 'value="Кузнецов"' in page
    data = {
        f"r1-{k}": v
        for k, v in row(
            surname="Кузнецов", municipality="Второй район", organization="Школа без имени"
        ).items()
    }
    resp = post_form(org, fix_url, data)
    assert "Строка 2, «Образовательная организация»" in resp.get_data(as_text=True)
    assert _state(second) is C.NEEDS_FIX
    data["r1-organization"] = "МБОУ «СОШ № 2»"
    data["r1-grade"] = "11 класс"
    assert post_form(org, fix_url, data).status_code == 302
    assert _state(second) is C.SUBMITTED
    assert db.session.get(AdmissionCandidate, second).grade == "11 класс"


def test_unassigned_candidates_go_to_admin(app, world):
    batch = _batch(
        world,
        [
            row(),
            row(surname="Третьякова", municipality="Третий район", organization="МБОУ «СОШ № 3»"),
        ],
    )
    third = batch.candidates[1].id
    admin = client_for(app, world.admin)
    assert 'data-testid="unassigned-count">1<' in admin.get("/admin/admission/").get_data(
        as_text=True
    )
    page = admin.get("/admin/admission/unassigned").get_data(as_text=True)
    assert re.findall(r'data-candidate="(\d+)"', page) == [str(third)]
    url = f"/admin/admission/candidates/{third}"
    assert "нет координатора" in admin.get(url).get_data(as_text=True)
    assert (
        post_form(
            admin, f"{url}/confirm", {"consent_on": "2019-04-03", "on_file": "y"}, form_url=url
        ).status_code
        == 302
    )
    assert _state(third) is C.CONFIRMED
    assert (
        re.findall(
            r'data-candidate="(\d+)"',
            admin.get("/admin/admission/unassigned").get_data(as_text=True),
        )
        == []
    )


def _confirmed_batch(world, rows):
    batch = _batch(world, rows)
    # The admin admits today: the consent must still hold then (a 2019 consent of a person
    # born in 2003 ended in 2026, and admission is refused without one: test_pdata_consent).
    for c in batch.candidates:
        ops.confirm_candidate(
            c, world.membership(world.admin), consent_on=date.today(), on_file=True
        )
    db.session.commit()
    return batch


def test_admin_admits_one_and_then_all(app, world):
    resident = world.person(
        "Белова", "Мария", None, date(2003, 2, 3), status=PersonStatus.RESIDENT_SCHOOL
    )
    batch = _confirmed_batch(
        world,
        [
            row(),
            row(surname="Второв"),
            row(surname="Белова", name="Мария", patronymic="", birth_date="03.02.2003"),
        ],
    )
    first, second, third = batch.candidates
    admin = client_for(app, world.admin)
    url = f"/admin/admission/batches/{batch.id}"
    page = admin.get(url).get_data(as_text=True)
    assert "Включить всех подтверждённых (3)" in page and "Уже резидент" in page
    resp = post_form(
        admin,
        f"/admin/admission/candidates/{first.id}/admit",
        {"version": str(first.version), "next": "batch"},
        form_url=url,
    )
    assert resp.status_code == 302 and resp.headers["Location"] == url
    assert _state(first.id) is C.ADMITTED
    person_id = db.session.get(AdmissionCandidate, first.id).person_id
    # the Resident certificate is queued for a worker (tests/test_resident_certificates.py)
    jobs = db.session.execute(sa.select(Job.kind, Job.key, Job.created_by_id)).all()
    assert jobs == [("certificate", f"resident:{person_id}", world.admin.id)]
    resp = post_form(admin, f"{url}/admit-all", {}, form_url=url)
    assert resp.status_code == 302
    assert "Включено в банк: 2; из них уже были резидентами (записано достижение): 1." in admin.get(
        url
    ).get_data(as_text=True)
    assert [_state(c.id) for c in (first, second, third)] == [C.ADMITTED] * 3
    statuses = db.session.execute(sa.select(PersonStatusChange.person_id)).scalars().all()
    assert len(statuses) == 3 and statuses.count(resident.id) == 1  # the resident's old row only


def test_reject_needs_reason(app, world):
    candidate = _confirmed_batch(world, [row()]).candidates[0]
    admin = client_for(app, world.admin)
    url = f"/admin/admission/candidates/{candidate.id}"
    assert (
        post_form(
            admin, f"{url}/reject", {"reason": "", "version": str(candidate.version)}, form_url=url
        ).status_code
        == 400
    )
    assert (
        post_form(
            admin,
            f"{url}/reject",
            {"reason": "Нет диплома", "version": str(candidate.version)},
            form_url=url,
        ).status_code
        == 302
    )
    db.session.expire_all()
    c = db.session.get(AdmissionCandidate, candidate.id)
    assert (c.state, c.reason, c.decided_by_id) == (C.REJECTED, "Нет диплома", world.admin.id)


def test_reject_all_confirmed(app, world):
    batch = _confirmed_batch(world, [row(), row(surname="Второв")])
    admin = client_for(app, world.admin)
    url = f"/admin/admission/batches/{batch.id}"
    post_form(admin, f"{url}/reject-all", {"reason": " "}, form_url=url)
    assert "Укажите причину отказа." in admin.get(url).get_data(as_text=True)
    assert [_state(c.id) for c in batch.candidates] == [C.CONFIRMED] * 2
    post_form(admin, f"{url}/reject-all", {"reason": "Протокол не подписан"}, form_url=url)
    assert "Отклонено: 2." in admin.get(url).get_data(as_text=True)
    db.session.expire_all()
    got = [(c.state, c.reason) for c in db.session.get(AdmissionBatch, batch.id).candidates]
    assert got == [(C.REJECTED, "Протокол не подписан")] * 2


def test_two_admins_approve_the_same_candidate(app, world):
    candidate = _confirmed_batch(world, [row()]).candidates[0]
    url = f"/admin/admission/candidates/{candidate.id}"
    one, two = client_for(app, world.admin), client_for(app, world.admin2)
    # both open the page and see the same version
    versions = [
        re.search(r'name="version" value="(\d+)"', c.get(url).get_data(as_text=True)).group(1)
        for c in (one, two)
    ]
    assert versions[0] == versions[1]
    tokens = [csrf_token(c, url) for c in (one, two)]
    assert (
        one.post(
            f"{url}/admit",
            data={"csrf_token": tokens[0], "version": versions[0], "confirmed": "1"},
        ).status_code
        == 302
    )
    assert (
        two.post(
            f"{url}/admit",
            data={"csrf_token": tokens[1], "version": versions[1], "confirmed": "1"},
        ).status_code
        == 302
    )
    assert "уже включён в банк: запись изменилась" in two.get(url).get_data(as_text=True)
    # the other admin trying to reject with the stale version is told the record changed
    two.post(
        f"{url}/reject",
        data={"csrf_token": tokens[1], "version": versions[1], "reason": "нет", "confirmed": "1"},
    )
    assert "Запись изменилась, пока вы её просматривали" in two.get(url).get_data(as_text=True)
    db.session.expire_all()
    c = db.session.get(AdmissionCandidate, candidate.id)
    assert (c.state, c.decided_by_id) == (C.ADMITTED, world.admin.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonStatusChange)) == 1


def test_admin_resolves_near_match(app, world, factory):
    near = world.person("Смирнова", "Ольга", "Петровна", date(2004, 6, 7))
    stranger = World(factory).person("Смирнова", "Ольга", "Петровна", date(2004, 6, 7))
    candidate = _batch(
        world, [row(surname="Смирнова", name="Оля", patronymic="Петровна", birth_date="07.06.2004")]
    ).candidates[0]
    admin = client_for(app, world.admin)
    url = f"/admin/admission/candidates/{candidate.id}"
    page = admin.get(url).get_data(as_text=True)
    assert re.findall(r'name="person_id" value="(\d+)"', page) == [
        str(near.id),
        "0",
    ]  # own tenant only
    assert "Смирнова Ольга Петровна" in page and "07.06.2004" in page
    # a person of another tenant cannot be chosen
    assert (
        post_form(
            admin, f"{url}/resolve", {"person_id": str(stranger.id)}, form_url=url
        ).status_code
        == 404
    )
    assert (
        post_form(admin, f"{url}/resolve", {"person_id": str(near.id)}, form_url=url).status_code
        == 302
    )
    db.session.expire_all()
    c = db.session.get(AdmissionCandidate, candidate.id)
    assert (c.person_id, c.match.value) == (near.id, "existing")


def test_admin_other_tenant_is_404(app, world, factory):
    batch = _batch(world, [row()])
    other = World(factory)
    admin = client_for(app, other.admin)
    cid = batch.candidates[0].id
    assert admin.get(f"/admin/admission/batches/{batch.id}").status_code == 404
    assert admin.get(f"/admin/admission/candidates/{cid}").status_code == 404
    assert (
        post_form(
            admin, f"/admin/admission/candidates/{cid}/admit", {}, form_url="/admin/admission/"
        ).status_code
        == 404
    )
    coord = client_for(app, other.coord1)
    assert coord.get(f"/coordinator/admission/candidates/{cid}").status_code == 404


ROUTES = {
    "admin": [
        "/admin/admission/",
        "/admin/admission/unassigned",
        "/admin/admission/batches/{batch}",
        "/admin/admission/candidates/{candidate}",
    ],
    "coordinator": ["/coordinator/admission/", "/coordinator/admission/candidates/{candidate}"],
    "organizer": [
        "/organizer/admission/",
        "/organizer/admission/editions/{edition}/protocol",
        "/organizer/admission/batches/{batch}",
        "/organizer/admission/candidates/{candidate}/fix",
    ],
}
POSTS = [
    ("admin", "/admin/admission/batches/{batch}/admit-all"),
    ("admin", "/admin/admission/batches/{batch}/reject-all"),
    ("admin", "/admin/admission/candidates/{candidate}/admit"),
    ("admin", "/admin/admission/candidates/{candidate}/reject"),
    ("admin", "/admin/admission/candidates/{candidate}/confirm"),
    ("admin", "/admin/admission/candidates/{candidate}/return"),
    ("admin", "/admin/admission/candidates/{candidate}/resolve"),
    ("coordinator", "/coordinator/admission/candidates/{candidate}/confirm"),
    ("coordinator", "/coordinator/admission/candidates/{candidate}/return"),
]


DASHBOARDS = {
    "admin": "/admin/",
    "coordinator": "/coordinator/",
    "organizer": "/organizer/",
    "expert": "/expert/",
    "platform-admin": "/platform/",
}


def test_role_matrix(app, world, factory):
    batch = _batch(world, [row()])
    ids = {"batch": batch.id, "candidate": batch.candidates[0].id, "edition": world.edition.id}
    users = {
        "admin": world.admin,
        "coordinator": world.coord1,
        "organizer": world.organizer,
        "expert": world.expert,
        "platform-admin": factory.user(platform_admin=True),
    }
    for role, user in users.items():
        client = client_for(app, user)
        for page_role, urls in ROUTES.items():
            for url in urls:
                status = client.get(url.format(**ids)).status_code
                assert status == (200 if role == page_role else 403), (role, url, status)
        token = csrf_token(client, DASHBOARDS[role])
        for post_role, url in POSTS:
            if post_role != role:
                status = client.post(url.format(**ids), data={"csrf_token": token}).status_code
                assert status == 403, (role, url, status)
    anonymous = app.test_client()
    for urls in ROUTES.values():
        for url in urls:
            assert anonymous.get(url.format(**ids)).status_code == 302


def test_two_admins_approve_at_the_same_moment(app, world):
    """Two requests in two threads: whichever interleaving happens, the person is admitted
    once and the other admin is told the record changed (already admitted, or a stale version)."""
    import threading

    candidate = _confirmed_batch(world, [row()]).candidates[0]
    url = f"/admin/admission/candidates/{candidate.id}"
    clients = [client_for(app, world.admin), client_for(app, world.admin2)]
    forms = [
        {"csrf_token": csrf_token(c, url), "version": str(candidate.version), "confirmed": "1"}
        for c in clients
    ]
    barrier = threading.Barrier(2)
    statuses = [None, None]

    def approve(i):
        barrier.wait()
        statuses[i] = clients[i].post(f"{url}/admit", data=forms[i]).status_code

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert statuses == [302, 302]
    pages = [c.get(url).get_data(as_text=True) for c in clients]
    won = ["Кандидат включён в банк." in p for p in pages]
    told = ["запись изменилась" in p.lower() for p in pages]
    assert sorted(won) == [False, True] and told == [not w for w in won]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonStatusChange)) == 1
    c = db.session.get(AdmissionCandidate, candidate.id)
    assert c.state is C.ADMITTED and c.decided_by_id == (
        world.admin.id if won[0] else world.admin2.id
    )


def _question(resp) -> str:
    assert resp.status_code == 200
    m = re.search(r'data-testid="confirm-question">([^<]*)<', resp.get_data(as_text=True))
    assert m, "no confirmation page"
    return m.group(1)


def _alerts(page: str) -> list[str]:
    return [" ".join(m.split()) for m in re.findall(r'role="alert"[^>]*>(.*?)<', page, re.S)]


def test_admin_decisions_ask_without_javascript_and_say_what_happened(app, world):
    batch = _confirmed_batch(world, [row(), row(surname="Второв"), row(surname="Третьяков")])
    first, second, third = batch.candidates
    admin = client_for(app, world.admin)
    n = batch.number
    for c, action, question in (
        (first, "admit", f"Включить в банк кандидата Соколова Анна (протокол {n}, строка 1)."),
        (second, "reject", f"Отклонить кандидата Второв Анна (протокол {n}, строка 2)."),
    ):
        url = f"/admin/admission/candidates/{c.id}"
        data = {"version": str(c.version), "reason": "Нет диплома"}
        resp = post_form(admin, f"{url}/{action}", data, form_url=url, confirm=False)
        assert _question(resp) == question
    url = f"/admin/admission/batches/{batch.id}"
    resp = post_form(admin, f"{url}/reject-all", {"reason": "Нет"}, form_url=url, confirm=False)
    assert _question(resp) == f"Отклонить всех подтверждённых кандидатов протокола {n}: 3."
    assert [_state(c.id) for c in batch.candidates] == [C.CONFIRMED] * 3  # nothing done yet

    url = f"/admin/admission/candidates/{first.id}"
    resp = post_form(admin, f"{url}/admit", {"version": str(first.version)}, form_url=url)
    assert resp.headers["Location"] == url
    assert _alerts(admin.get(url).get_data(as_text=True)) == ["Кандидат включён в банк."]
    url = f"/admin/admission/candidates/{second.id}"
    resp = post_form(
        admin,
        f"{url}/reject",
        {"version": str(second.version), "reason": "Нет диплома", "next": "batch"},
        form_url=url,
    )
    assert resp.headers["Location"] == f"/admin/admission/batches/{batch.id}"
    assert _alerts(admin.get(url).get_data(as_text=True)) == ["Кандидат отклонён."]
    url = f"/admin/admission/batches/{batch.id}"
    resp = post_form(admin, f"{url}/admit-all", {}, form_url=url)
    assert resp.headers["Location"] == url
    assert _alerts(admin.get(url).get_data(as_text=True)) == [
        "Включено в банк: 1; из них уже были резидентами (записано достижение): 0."
    ]
    assert [_state(c.id) for c in (first, second, third)] == [C.ADMITTED, C.REJECTED, C.ADMITTED]
