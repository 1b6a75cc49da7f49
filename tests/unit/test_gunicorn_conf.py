"""gunicorn.conf.py (read by gunicorn from the project root): a worker that has loaded the app
moves it out of the garbage collector's generations (issue 14: no full-collection pause on a
page walking the whole app)."""

from __future__ import annotations

import gc
import runpy

from tests.support import ROOT


def test_a_worker_freezes_what_it_loaded():
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert gc.get_freeze_count() == 0
    try:
        conf["post_worker_init"](None)
        assert gc.get_freeze_count() > 10_000  # the app and the test session's modules
    finally:
        gc.unfreeze()
