"""Every page of every role in a real browser, at a phone's 375 px and a laptop's 1366 px:

- no horizontal scroll of the page at 375 px (``scrollWidth <= innerWidth``): wide tables
  scroll inside their own container, filters fold, actions stay on screen;
- no axe-core violation of impact serious or critical at either width.

The pages are every GET rule of ``app.url_map`` the role is admitted to, with the objects of the
access matrix's world behind the URL parameters (``tests/factories.py`` :class:`AccessWorld`),
so a page added later is visited without touching this file. Files (PDF, XLSX, ZIP) and JSON
answers are not pages and are left out; a redirect is followed and the page it lands on checked.
One browser, one login per role (a context each), each page loaded once and measured at both
widths.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError, expect

from mkr_web.extensions import db
from tests.conftest import empty_database
from tests.e2e.axe import AxeUnavailable, blocking_violations, install
from tests.factories import AccessWorld
from tests.http.test_access_matrix import ROLES, readable_pages
from tests.support import browser_login

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture(autouse=True)
def _clean_db():
    """The world is built once for the module (see :func:`pages`), emptied when it ends."""
    yield


@pytest.fixture(scope="module")
def axe_script():
    try:
        return str(install())
    except AxeUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def pages(app, data_app):
    """{role: (email, [url, …])}: every page each role may open, with its own objects."""
    empty_database(app)
    with data_app.app_context():
        plan = readable_pages(app, AccessWorld())
        db.session.remove()
    yield plan
    empty_database(app)


def _page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


#: The elements that stick out of the window while their parent does not: the culprits.
CULPRITS = """() => {
  const w = window.innerWidth, name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  return [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > w + 1 &&
                 e.parentElement.getBoundingClientRect().right <= w + 1)
    .slice(0, 4).map(e => name(e.parentElement) + ' > ' + name(e) +
                           ' (' + Math.round(e.getBoundingClientRect().right) + ' px)');
}"""


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone_and_passes_axe(browser, live_server, pages, axe_script, role):
    email, urls = pages[role]
    context = browser.new_context(base_url=live_server, viewport=LAPTOP, locale="ru-RU")
    context.add_init_script(path=axe_script)
    page = context.new_page()
    problems: list[str] = []
    visited = 0
    try:
        if email:
            browser_login(page, email)
            page.wait_for_load_state()
            assert "/login" not in page.url, f"{role}: the login failed ({page.url})"
        for url in urls:
            try:
                response = page.goto(url)
            except PlaywrightError as exc:
                if "Download is starting" in str(exc):
                    continue  # a file, not a page
                raise
            if response is None or "text/html" not in response.headers.get("content-type", ""):
                continue
            if response.status != 200:
                problems.append(f"{url}: status {response.status}")
                continue
            visited += 1
            # each page once: measured at the width it loaded at, then at the other
            first = page.viewport_size
            for size in (first, PHONE if first == LAPTOP else LAPTOP):
                if size != page.viewport_size:
                    page.set_viewport_size(size)
                where = f"{url} at {size['width']} px"
                if size == PHONE:
                    scroll, inner = _page_width(page)
                    if scroll > inner:
                        problems.append(
                            f"{where}: the page is {scroll} px wide (> {inner}): "
                            + ", ".join(page.evaluate(CULPRITS))
                        )
                problems += [f"{where}: {v}" for v in blocking_violations(page)]
    finally:
        context.close()
    assert visited > 0, f"{role}: no page visited"
    print(f"{role}: {visited} pages")
    assert problems == [], f"{role}: {len(problems)} problems:\n" + "\n".join(problems)


def test_the_registry_filters_fold_on_a_phone(browser, live_server, pages):
    email, urls = pages["coordinator"]
    assert "/coordinator/people" in urls
    context = browser.new_context(base_url=live_server, viewport=PHONE, locale="ru-RU")
    page = context.new_page()
    try:
        browser_login(page, email)
        page.goto("/coordinator/people")
        toggle = page.get_by_role("button", name="Поиск и фильтры")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(page.get_by_label("ФИО")).to_be_hidden()
        expect(page.get_by_test_id("registry")).to_be_in_viewport()  # the results on screen one
        toggle.click()
        expect(page.get_by_label("ФИО")).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "true")

        page.set_viewport_size(LAPTOP)
        page.reload()
        expect(toggle).to_be_hidden()
        expect(page.get_by_label("ФИО")).to_be_visible()
    finally:
        context.close()
