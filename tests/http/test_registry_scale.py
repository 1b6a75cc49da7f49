"""The registry at scale (issue 14): the count stops at a cap ("более …"), numbered pages end
there and keyset links (``after``/``before``) walk the rest in every sort, in the same order as
the numbered pages, with the same number of queries on a deep page as on the first."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

import mkr_web.queries.people as people_queries
from mkr_web.extensions import db
from tests.factories import make_person
from tests.http.test_people_registry import count_queries, names
from tests.support import login

NEXT = re.compile(r'href="([^"]+)" aria-label="Следующая"')
PREV = re.compile(r'href="([^"]+)" aria-label="Предыдущая"')


def _link(pattern, resp) -> str | None:
    m = pattern.search(resp.get_data(as_text=True))
    return html.unescape(m.group(1)) if m else None


@pytest.fixture
def crowd(factory):
    """57 persons: some without a birth date, some sharing a name and a birth date."""
    t = factory.tenant()
    admin = factory.user(t, "admin")
    made = []
    for i in range(57):
        birth = None if i % 7 == 0 else date(2000 + i % 5, 1 + i % 12, 1 + i % 3)
        history = [("admit_school", date(2018 + i % 3, 2, 1 + i % 9))] if i % 4 else []
        person = make_person(
            t, f"Ф{i % 20:02d}", "Имя", birth_on=birth, history=history, commit=False
        )
        made.append(person)
    db.session.commit()
    rows = [
        (p.search_name, p.id, p.birth_on, p.admission_on, p.full_name, p.status.value) for p in made
    ]
    return admin, rows


LAST = date(9999, 12, 31)
KEYS = {
    "name": lambda r: (r[0], r[1]),
    "birth": lambda r: (r[2] or LAST, r[0], r[1]),
    "admission": lambda r: (r[3] or LAST, r[0], r[1]),
    "status": lambda r: (r[5], r[0], r[1]),
}


def _walk(client, url: str, pattern) -> list[list[str]]:
    pages = []
    seen = set()
    while url:
        assert url not in seen, url
        seen.add(url)
        resp = client.get(url)
        pages.append(names(resp))
        url = _link(pattern, resp)
    return pages


@pytest.mark.parametrize("sort", ["name", "birth", "admission", "status"])
@pytest.mark.parametrize("desc", [False, True])
@pytest.mark.parametrize("search", ["", "&q=имя"])  # a search finding all 57: the same pages
def test_keyset_walks_every_sort_past_the_cap(client, crowd, monkeypatch, sort, desc, search):
    """Also searched: a searched page picks its ids first and then reads their rows
    (``_registry_rows``), in the same order; a search has one numbered page."""
    monkeypatch.setattr(people_queries, "COUNT_CAP", 30)
    admin, rows = crowd
    login(client, admin.email)
    expected = [r[4] for r in sorted(rows, key=KEYS[sort], reverse=desc)]
    base = f"/admin/people?per_page=25&sort={sort}" + ("&dir=desc" if desc else "") + search
    first = client.get(base)
    assert f"Найдено: более {25 if search else 30}<" in first.get_data(as_text=True)
    pages = _walk(client, base, NEXT)
    assert [len(p) for p in pages] == [25, 25, 7]
    assert [n for p in pages for n in p] == expected
    # past the cap (a search: past its first page) the next link is a keyset one; walking
    # back lands on the same pages
    if search:
        assert _link(NEXT, first).startswith("/admin/people?after=")
        third_url = _link(NEXT, client.get(_link(NEXT, first)))
    else:
        second = client.get(_link(NEXT, first))
        assert "page=2" in _link(NEXT, first)
        third_url = _link(NEXT, second)
    assert third_url.startswith("/admin/people?after=")
    back = _walk(client, third_url, PREV)
    assert back == list(reversed(pages))


def test_a_search_counts_its_first_page_only_and_walks_the_rest(app, client, crowd):
    admin, rows = crowd
    login(client, admin.email)
    # every one of the 57 is called «Ф.. Имя»: the search finds them all, says "more than a
    # page" and is not counted (no count query)
    base = "/admin/people?per_page=25&q=имя"
    with count_queries(app) as searched:
        first = client.get(base)
    assert 'data-testid="registry-total">Найдено: более 25<' in first.get_data(as_text=True)
    assert not [s for s in searched if "FROM person" in s and "count(*)" in s]
    assert 'href="/admin/people?page=2' not in first.get_data(as_text=True)
    pages = _walk(client, base, NEXT)
    assert [len(p) for p in pages] == [25, 25, 7]
    assert [n for p in pages for n in p] == [r[4] for r in sorted(rows, key=KEYS["name"])]
    # the registry without a search still counts to its cap
    whole = client.get("/admin/people?per_page=25").get_data(as_text=True)
    assert 'data-testid="registry-total">Найдено: 57<' in whole
    # a search finding no more than a page counts exactly
    few = client.get("/admin/people?per_page=25&q=ф01").get_data(as_text=True)
    assert 'data-testid="registry-total">Найдено: 3<' in few
    exactly = client.get("/admin/people?per_page=100&q=имя").get_data(as_text=True)
    assert 'data-testid="registry-total">Найдено: 57<' in exactly


def test_small_registry_counts_exactly_and_numbers_its_pages(client, crowd):
    admin, rows = crowd
    login(client, admin.email)
    resp = client.get("/admin/people?per_page=25&page=2")
    text = resp.get_data(as_text=True)
    assert 'data-testid="registry-total">Найдено: 57<' in text
    assert _link(NEXT, resp) == "/admin/people?page=3&per_page=25"
    assert _link(PREV, resp) == "/admin/people?page=1&per_page=25"
    assert names(client.get("/admin/people?per_page=25&page=3")) == [
        r[4] for r in sorted(rows, key=KEYS["name"])[50:]
    ]


def test_bad_cursor_is_the_first_page(client, crowd):
    admin, rows = crowd
    login(client, admin.email)
    first = names(client.get("/admin/people?per_page=25"))
    for junk in ("zzz", "W10", "WyJhIiwgMV0", "!!", "eyJhIjogMX0"):
        assert names(client.get(f"/admin/people?per_page=25&after={junk}")) == first


def test_deep_keyset_page_costs_the_queries_of_the_first(app, client, crowd, monkeypatch):
    monkeypatch.setattr(people_queries, "COUNT_CAP", 30)
    admin, rows = crowd
    login(client, admin.email)
    client.get("/admin/people?per_page=25")
    with count_queries(app) as statements:
        first = client.get("/admin/people?per_page=25")
    first_count = len(statements)
    second = client.get(_link(NEXT, first))
    deep_url = _link(NEXT, second)
    with count_queries(app) as statements:
        deep = client.get(deep_url)
    assert len(names(deep)) == 7
    assert len(statements) == first_count, (first_count, statements)
    with count_queries(app) as statements:
        client.get("/admin/people?per_page=25&q=ф0&sort=birth&dir=desc")
    assert len(statements) == first_count  # a search is not counted; the registry's kept


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_user_loader_and_role_context_take_one_query(app, client, factory, role):
    t = factory.tenant()
    other = factory.tenant()
    user = factory.user(t, role, municipalities=["Первый район"] if role == "coordinator" else ())
    factory.user(other, "admin", email=None)
    url = "/admin/people" if role == "admin" else "/coordinator/people"
    login(client, user.email)
    client.get(url)
    with count_queries(app) as statements:
        assert client.get(url).status_code == 200
    flat = [" ".join(s.split()) for s in statements]
    loader = [s for s in flat if "FROM user_session" in s]
    assert len(loader) == 1
    assert "membership" in loader[0] and "tenant" in loader[0]
    assert not [
        s
        for s in flat
        if s.startswith(("SELECT membership", "SELECT tenant", "SELECT municipality.id, "))
        and "WHERE municipality.tenant_id" not in s
    ], flat
