"""Browser tests: Debian's Chromium driven by Playwright against the app served in a thread.

`playwright install` cannot download browsers here, so the launch arguments point
pytest-playwright at /usr/bin/chromium (``apt-get install chromium``; ``./test.sh`` installs
it when run as root). Without it every browser test fails, naming the package: a missing
browser must never turn into a silently skipped test.
"""

from __future__ import annotations

import os
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.ops.conftest import _clean_db  # noqa: F401 - autouse: tables emptied after each test

CHROMIUM = os.environ.get("MKR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# The default 5 s is tight on a 2-core machine running other suites at the same time.
expect.set_options(timeout=15_000)


def pytest_configure(config):
    # A failing browser test leaves a screenshot in test-results/ unless told otherwise.
    if getattr(config.option, "screenshot", None) == "off":
        config.option.screenshot = "only-on-failure"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"browser tests need Chromium at {CHROMIUM}: run `apt-get install -y chromium` "
            "(./test.sh does it when run as root)",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def live_server(app):
    """The session's ``app`` served over HTTP on a free local port; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server):
    """Pages may ``goto("/login")``; also replaces pytest-playwright's own ``base_url``."""
    return live_server
