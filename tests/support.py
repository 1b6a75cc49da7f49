"""Helpers every kind of test shares: logging in through the real form, reading PDF and XLSX
files, building an upload, waiting for background jobs (a wait that times out FAILS the test),
and rebuilding a database through the migrations (also used by ``bench/``)."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pyotp
import requests
import sqlalchemy as sa
from flask_migrate import upgrade

from mkr_web.extensions import db
from mkr_web.models import Certificate, Job, JobState, Notification, User

PASSWORD = "test-password-123"
JOB_TIMEOUT = 90.0

# ---- the database ----------------------------------------------------------------------------


def rebuild_schema(app) -> None:
    """Drop every table of the app's database, then ``flask db upgrade`` to the head (never
    ``create_all``). Destructive: for the test suite and the benchmarks only."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            meta = sa.MetaData()
            meta.reflect(engine)
            meta.drop_all(engine)
            with engine.begin() as conn:
                conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()


# ---- HTTP ------------------------------------------------------------------------------------

CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    m = CSRF_RE.search(html)
    assert m, f"no CSRF token on {url}"
    return m.group(1) or m.group(2)


def login(client, email: str, password: str = PASSWORD):
    """Log in through the real login form (with its CSRF token)."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def logged_in(app, user):
    """A new test client of ``app``, logged in as ``user``."""
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def post_form(client, url: str, data: dict, form_url: str | None = None, *, confirm=True):
    """POST like a browser: fetch the page for its CSRF token first. ``confirm``: answer the
    confirmation dialog of an irreversible action as the browser's script does (``confirmed=1``);
    ``confirm=False`` posts as a browser without JavaScript (the server asks on a page)."""
    payload = dict(data)
    payload["csrf_token"] = csrf_token(client, form_url or url)
    if confirm:
        payload.setdefault("confirmed", "1")
    return client.post(url, data=payload)


def notification_subjects(user) -> list[str]:
    """The subjects of a user's notifications, oldest first."""
    return db.session.scalars(
        sa.select(Notification.subject)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id)
    ).all()


def issued_certificates() -> list[tuple]:
    """(kind, subject id, number) of every certificate, in the order they were issued."""
    db.session.expire_all()
    return db.session.execute(
        sa.select(Certificate.kind, Certificate.subject_id, Certificate.number).order_by(
            Certificate.id
        )
    ).all()


def upload_file(
    client,
    url: str,
    data: bytes | None,
    filename: str,
    *,
    field: str = "file",
    fields: dict | None = None,
    form_url: str | None = None,
):
    """POST a multipart form like a browser (CSRF token from ``form_url`` or ``url``): the file
    ``data`` as ``field`` (none when ``data`` is None) beside the other ``fields``."""
    payload = dict(fields or {})
    payload["csrf_token"] = csrf_token(client, form_url or url)
    if data is not None:
        payload[field] = (io.BytesIO(data), filename)
    return client.post(url, data=payload, content_type="multipart/form-data")


def browser_login(page, email: str, password: str = PASSWORD) -> None:
    """Log a Playwright page in through the login form (forgetting any earlier session)."""
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти", exact=True).click()  # not "Войти через …"


def screenshot(page, name: str) -> None:
    """A full-page screenshot of a browser test into the temp dir's ``mkr-e2e/``."""
    folder = os.path.join(tempfile.gettempdir(), "mkr-e2e")
    os.makedirs(folder, exist_ok=True)
    page.screenshot(path=os.path.join(folder, name), full_page=True)


# ---- files -----------------------------------------------------------------------------------


def pdf_text(data: bytes, *, squash: bool = True) -> str:
    """The text of a PDF (``pdftotext -layout``); ``squash`` folds every run of white space."""
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    text = out.stdout.decode("utf-8")
    return " ".join(text.split()) if squash else text


def xlsx_bytes(rows, header=None) -> bytes:
    """A one-sheet workbook of ``rows`` (after ``header`` when given)."""
    wb = openpyxl.Workbook()
    if header is not None:
        wb.active.append(list(header))
    for r in rows:
        wb.active.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_rows(data: bytes, sheet: str | None = None) -> list[tuple]:
    """Every row of a workbook's sheet (the active one by default), as value tuples."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet] if sheet else wb.active
    return list(ws.iter_rows(values_only=True))


# ---- background jobs -------------------------------------------------------------------------


def wait_until(done: Callable[[], object], what: str, timeout: float = JOB_TIMEOUT):
    """Poll ``done()`` until it returns something truthy and return that; FAIL the test when
    ``timeout`` seconds pass first. The one wait of the suite."""
    deadline = time.monotonic() + timeout
    while True:
        result = done()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f} s waiting for {what}"
        time.sleep(0.2)


def wait_for_job(job_id: int, timeout: float = JOB_TIMEOUT) -> Job:
    """The committed Job row once it is done or failed (a real worker may run it)."""

    def finished():
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        return job if job.state in (JobState.DONE, JobState.FAILED) else None

    return wait_until(finished, f"job {job_id}", timeout)


def settle_jobs(timeout: float = JOB_TIMEOUT) -> None:
    """Wait until no job is pending or running, so that a real worker never works on rows the
    test's cleanup is deleting."""

    def idle():
        db.session.expire_all()
        return not db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Job)
            .where(Job.state.in_([JobState.PENDING, JobState.RUNNING]))
        )

    wait_until(idle, "the background jobs to finish", timeout)


def job_status(client, url: str, timeout: float = JOB_TIMEOUT) -> dict:
    """Poll a job's JSON status page until the job is done or failed; return the status."""

    def finished():
        status = client.get(url).get_json()
        return status if status["state"] in ("done", "failed") else None

    return wait_until(finished, url, timeout)


# ---- accounts: saved cookies, account mails, TOTP codes -------------------------------------


def saved_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def replay(app, cookie: str, url: str):
    """A fresh client (another browser) that sends a saved session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get(url)


def account_mails(email: str) -> list[Notification]:
    """The account mails (no tenant) of an address, oldest first."""
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Notification)
            .join(User, User.id == Notification.user_id)
            .where(User.email == email, Notification.tenant_id.is_(None))
            .order_by(Notification.id)
        )
    )


def last_link_path(email: str) -> str:
    """The path of the link in the newest account mail to ``email``."""
    mails = account_mails(email)
    assert mails, f"no account mail to {email}"
    return urlsplit(mails[-1].link).path


def totp_now(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


# ---- a real gunicorn (two workers) on the test database --------------------------------------

ROOT = Path(__file__).resolve().parent.parent
FORM_TOKEN_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


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
    token = FORM_TOKEN_RE.search(page.text).group(1)
    resp = s.post(
        base + "/login",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    return s, resp


# ---- a local SMTP server ---------------------------------------------------------------------

SMTP_PORTS = range(5170, 5180)  # this branch's port range; a free one is taken


class LocalSMTP:
    """An aiosmtpd server on 127.0.0.1 that keeps every message it accepts.

    ``mode``: ``plain``, ``starttls`` (STARTTLS required before AUTH and MAIL) or ``ssl``
    (TLS from the first byte). TLS uses a certificate issued in the test by a throwaway CA
    (trustme); ``ca_file`` is that CA for the client. With ``login``, AUTH is required and only
    that (user, password) is accepted; ``fail_rcpt`` answers 451 to every recipient."""

    def __init__(self, tmp_path, mode="plain", login=None, fail_rcpt=False):
        import ssl

        import trustme
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.messages: list = []
        self.logins: list[str] = []
        self.ca_file = None
        server = self

        class Handler:
            async def handle_RCPT(self, srv, session, envelope, address, rcpt_options):
                if fail_rcpt:
                    return "451 4.3.0 try again later"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, srv, session, envelope):
                server.messages.append(envelope.content)
                return "250 OK"

        def authenticate(srv, session, envelope, mechanism, auth_data):
            ok = login is not None and (
                auth_data.login.decode(),
                auth_data.password.decode(),
            ) == tuple(login)
            if ok:
                server.logins.append(auth_data.login.decode())
            return AuthResult(success=ok, handled=False)  # a refusal answers 535

        kwargs = {}
        server_ctx = None
        if mode in ("starttls", "ssl"):
            ca = trustme.CA()
            cert = ca.issue_cert("127.0.0.1", "localhost")
            server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(server_ctx)
            self.ca_file = str(tmp_path / "smtp-ca.pem")
            ca.cert_pem.write_to_path(self.ca_file)
        if mode == "starttls":
            kwargs.update(tls_context=server_ctx, require_starttls=True)
        if login is not None:
            kwargs.update(authenticator=authenticate, auth_required=True)
            # aiosmtpd only knows STARTTLS's TLS; an SSL connection is TLS from the start
            kwargs["auth_require_tls"] = mode == "starttls"
        last = None
        for port in SMTP_PORTS:
            self.controller = Controller(
                Handler(),
                hostname="127.0.0.1",
                port=port,
                ssl_context=server_ctx if mode == "ssl" else None,
                **kwargs,
            )
            try:
                self.controller.start()
                self.port = port
                break
            except (OSError, RuntimeError) as exc:  # taken: try the next one of the range
                last = exc
        else:
            raise RuntimeError(f"no free port in {SMTP_PORTS}: {last}")

    def config(self, mode="plain", login=None) -> dict:
        cfg = {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": self.port,
            "MAIL_USE_TLS": mode == "starttls",
            "MAIL_USE_SSL": mode == "ssl",
            "MAIL_CA_FILE": self.ca_file,
            "MAIL_USERNAME": login[0] if login else None,
            "MAIL_PASSWORD": login[1] if login else None,
            "MAIL_TIMEOUT": 5,
        }
        return cfg

    def parsed(self) -> list[tuple[str, str, str]]:
        """(subject, to, text body) of every message, in order."""
        import email
        from email.header import decode_header, make_header

        out = []
        for raw in self.messages:
            msg = email.message_from_bytes(raw)
            body = msg.get_payload(decode=True).decode().replace("\r\n", "\n")
            out.append((str(make_header(decode_header(msg["Subject"]))), msg["To"], body))
        return out

    def stop(self) -> None:
        self.controller.stop()
