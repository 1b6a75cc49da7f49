"""A real gunicorn (two workers) serving the test database, for tests that need several
worker processes or a broken dependency (a Redis that does not answer)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def port_is_closed(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) != 0


LISTENING_RE = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 2):
    """Serve ``mkr_web:create_app()`` on a free port of 127.0.0.1; yields (base URL, log)."""
    log = Path(tempfile.mkstemp(prefix="mkr-gunicorn-", suffix=".log")[1])
    full_env = {**os.environ, **env}
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                str(workers),
                "-b",
                "127.0.0.1:0",
                "--no-control-socket",  # a shared path; other gunicorns may run
                "--log-level",
                "info",
                "mkr_web:create_app()",
            ],
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = None
    try:
        deadline = time.monotonic() + 30
        while True:
            found = LISTENING_RE.search(log.read_text())
            if found:
                base = f"http://127.0.0.1:{found.group(1)}"
                try:
                    if requests.get(base + "/login", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.2)
        yield base, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def http_login(base: str, email: str, password: str) -> tuple[requests.Session, requests.Response]:
    """Log in through the form with a fresh connection; returns the session and the answer."""
    s = requests.Session()
    s.headers["Connection"] = "close"  # every request may land on another worker
    page = s.get(base + "/login", timeout=10)
    token = CSRF_RE.search(page.text).group(1)
    resp = s.post(
        base + "/login",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    return s, resp
