"""English completeness: every page of every role, rendered in English, shows no Cyrillic
outside user data.

The pages are every GET rule of ``app.url_map`` a role is admitted to, with the access
matrix's world behind the URL parameters (as ``tests/e2e/test_every_page.py``). User data is
whatever the database holds: every word of every text value of every table is allowed (a
person's name, an event's title, a municipality). What remains in Cyrillic — in the text or in
the ``title``, ``aria-label``, ``placeholder`` and ``alt`` attributes — is an untranslated
string of the app.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from mkr_web.extensions import db
from tests.conftest import empty_database
from tests.factories import AccessWorld
from tests.http.test_access_matrix import ROLES, readable_pages
from tests.support import PASSWORD, csrf_token, login

CYRILLIC_WORD = re.compile(r"[А-Яа-яЁё][А-Яа-яЁё\-]*")
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


@pytest.fixture(autouse=True)
def _clean_db():
    """The world is built once for the module, emptied when it ends."""
    yield


class Visible(HTMLParser):
    """The text a reader meets: text nodes (not scripts or styles) and shown attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        # scripts, styles, and what is marked as Russian on purpose (the «Русский» switch)
        if tag in ("script", "style") or dict(attrs).get("lang", "").startswith("ru"):
            self._skip += 1
            self._skipping.append(tag)
        elif not self._skip:
            self.parts += [v for k, v in attrs if k in SHOWN_ATTRIBUTES and v]

    def handle_endtag(self, tag):
        if self._skipping and tag == self._skipping[-1]:
            self._skipping.pop()
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _file_vocabulary() -> set[str]:
    """Words that stay Russian on purpose: the column headers an import file must carry (the
    upload pages name them, the previews quote them), the example values of notification
    placeholders, and the annual report (a Russian document by the programme's rules)."""
    import importlib
    import pkgutil

    import mkr_web.imports
    from mkr_web.imports.spec import Column
    from mkr_web.operations.notification_kinds import KINDS

    texts = []
    for info in pkgutil.iter_modules(mkr_web.imports.__path__):
        module = importlib.import_module(f"mkr_web.imports.{info.name}")
        for value in vars(module).values():
            columns = getattr(value, "columns", None)
            for column in columns if isinstance(columns, (tuple, list)) else ():
                if isinstance(column, Column):
                    texts += [column.title, *column.aliases, column.example]
    texts.append("ДД.ММ.ГГГГ")  # the date format the files use
    from mkr_web.imports.participants import ROLES as FILE_ROLES

    texts += list(FILE_ROLES)  # the results a file writes: «победитель», «призёр»
    # the default rubrics: criteria the tenant edits (data once created)
    from mkr_web.operations.reviews import DEFAULT_RUBRICS

    for title, criteria in DEFAULT_RUBRICS.values():
        texts += [title, *(c[0] for c in criteria)]
    for kind in KINDS.values():
        texts += [str(v) for v in (getattr(kind, "example", None) or {}).values()]
    return {w.lower() for t in texts for w in CYRILLIC_WORD.findall(str(t))}


def _user_words() -> set[str]:
    words: set[str] = _file_vocabulary()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text))]
        if not columns:
            continue
        for row in db.session.execute(sa.select(*columns)):
            for value in row:
                if value:
                    words.update(w.lower() for w in CYRILLIC_WORD.findall(str(value)))
    return words


@pytest.fixture(scope="module")
def world(app, data_app):
    empty_database(app)
    with data_app.app_context():
        plan = readable_pages(app, AccessWorld())
        words = _user_words()
        db.session.remove()
    yield plan, words
    empty_database(app)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_english(app, world, role):
    plan, user_words = world
    email, urls = plan[role]
    client = app.test_client()
    if email:
        assert login(client, email, PASSWORD).status_code == 302
    page = "/notifications" if email else "/login"
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client, page)})
    problems: dict[str, list[str]] = {}
    seen = 0
    for url in urls:
        resp = client.get(url)
        if resp.status_code != 200 or resp.mimetype != "text/html":
            continue
        seen += 1
        parser = Visible()
        parser.feed(resp.get_data(as_text=True))
        for part in parser.parts:
            part = re.sub(r"#\w+", "", part)  # a hashtag is a name (#ИсторииУспехаМКР)
            left = [
                w for w in CYRILLIC_WORD.findall(part) if len(w) > 1 and w.lower() not in user_words
            ]
            if left:
                problems.setdefault(url, []).append(" ".join(part.split())[:120])
    assert seen > 0
    report = [f"{url}: " + " | ".join(sorted(set(found))[:6]) for url, found in problems.items()]
    assert report == [], f"{role}: {len(report)} pages with Russian text:\n" + "\n".join(report)
