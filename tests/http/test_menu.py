"""The main menu (written once per role, page and language: mkr_web/web/menu.py) shows the
role's pages, marks the current one, and follows the language."""

from __future__ import annotations

import re

from tests.factories import World
from tests.support import login, post_form

MENU = re.compile(r'<ul class="navbar-nav me-auto">(.*?)</ul>', re.S)
LINK = re.compile(r'<a class="nav-link( active" aria-current="page)?" href="([^"]+)">([^<]+)</a>')


def _menu(client, path: str) -> list[tuple[str, str, bool]]:
    html = client.get(path).get_data(as_text=True)
    return [
        (title, href, bool(active))
        for active, href, title in LINK.findall(MENU.search(html).group(1))
    ]


def test_each_role_its_menu_with_the_current_page_marked(app, factory):
    w = World(factory)
    admin, coord = app.test_client(), app.test_client()
    login(admin, w.admin.email)
    login(coord, w.coord1.email)

    menu = _menu(admin, "/admin/people")
    assert menu[:3] == [
        ("Главная", "/admin/", False),
        ("Реестр", "/admin/people", True),
        ("Дубликаты", "/admin/duplicates", False),
    ]
    assert len(menu) == 19 and [m for m in menu if m[2]] == [("Реестр", "/admin/people", True)]
    assert _menu(admin, "/admin/")[:2] == [
        ("Главная", "/admin/", True),
        ("Реестр", "/admin/people", False),
    ]

    assert _menu(coord, "/coordinator/people") == [
        ("Главная", "/coordinator/", False),
        ("Реестр", "/coordinator/people", True),
        ("Выдвижения", "/coordinator/nominations/", False),
        ("Кандидаты на включение", "/coordinator/admission/", False),
        ("Аналитическая справка", "/coordinator/report", False),
    ]

    post_form(admin, "/language", {"lang": "en"}, form_url="/admin/")
    assert _menu(admin, "/admin/people")[:2] == [
        ("Home", "/admin/", False),
        ("Registry", "/admin/people", True),
    ]
    assert _menu(coord, "/coordinator/people")[1] == ("Реестр", "/coordinator/people", True)
