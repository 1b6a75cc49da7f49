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
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pyotp
import pypdf
import requests
import sqlalchemy as sa
from flask_migrate import upgrade

from mkr_web.extensions import db
from mkr_web.models import AccountNotification, Certificate, Job, JobState, Notification, User

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


def confirm_in_dialog(page, button, text: str | None = None) -> None:
    """Click ``button`` (a locator of a ``data-confirm`` form's button) and say yes in the dialog.

    The page's scripts run at the end of ``<body>``, so a click while the page is still parsing
    reaches a form that ``confirm.js`` has not yet taken over, and the server's confirmation page
    answers instead (the path without JavaScript). Waiting for ``load`` first makes the browser
    path the one tested. ``text``, when given, must be in the dialog."""
    from playwright.sync_api import expect

    page.wait_for_load_state("load")
    button.click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    if text is not None:
        expect(dialog).to_contain_text(text)
    dialog.get_by_role("button", name="Да, выполнить").click()


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


def one_page_pdf(title: str = "test document") -> bytes:
    """A small valid PDF (an upload must be a readable PDF: documents.upload_checks)."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": title})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def png_bytes(width: int = 20, height: int = 10) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buf, format="PNG")
    return buf.getvalue()


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


# ---- identical requests at the same moment -----------------------------------------------


def clone_client(app, source):
    """A new test client holding ``source``'s cookies (the same logged-in session)."""
    client = app.test_client()
    for cookie in source._cookies.values():
        client.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return client


def fire(app, source, url: str, data, count: int = 5) -> list[int]:
    """POST ``data`` (a dict, or a function making one: files cannot be shared) to ``url``
    ``count`` times at once; the status codes, in no order."""
    clients = [clone_client(app, source) for _ in range(count)]
    barrier = threading.Barrier(count)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def one(client):
        try:
            barrier.wait(timeout=30)
            payload = data() if callable(data) else dict(data)
            status = client.post(url, data=payload).status_code
        except BaseException as exc:  # noqa: BLE001 - reported by the caller's assertion
            with lock:
                errors.append(exc)
            return
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=one, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(statuses) == count, statuses
    return statuses


@contextmanager
def another_app(overrides: dict) -> Iterator:
    """An app with another configuration (a dead database or broker) whose creation does not
    leave its Celery as the process's current one for the rest of the suite."""
    from celery import current_app as current_celery

    from mkr_web import create_app

    previous = current_celery._get_current_object()
    try:
        yield create_app(overrides)
    finally:
        previous.set_current()
        previous.set_default()


@contextmanager
def migrated_to(revision: str, statements=()) -> Iterator:
    """An app on a new SQLite database of its own, upgraded to ``revision`` with
    ``statements`` (SQL text) run there in one transaction; inside its app context. For the
    tests of a data migration: upgrade (or downgrade) further and read the rows back."""
    path = os.path.join(tempfile.mkdtemp(prefix="mkr-migration-"), "m.db")
    with another_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}) as app:
        with app.app_context():
            upgrade(revision=revision)
            with db.engine.begin() as conn:
                for statement in statements:
                    conn.execute(sa.text(statement))
            try:
                yield app
            finally:
                db.engine.dispose()


# ---- the forms of a page -------------------------------------------------------------------


@dataclass
class PageForm:
    """A ``<form>`` as the browser would send it: its action, method, and the values of its
    fields as rendered (hidden inputs, checked boxes, selected options, text, textareas)."""

    action: str
    method: str
    fields: list[tuple[str, str]]
    files: list[str]
    names: list[str]  # every field name, filled or not

    def data(self, **values) -> dict:
        """The posted data: the rendered values, with ``values`` replacing them."""
        out: dict = {}
        for name, value in self.fields:
            if name not in values:
                out.setdefault(name, value)
        out.update(values)
        return out


class _FormParser(HTMLParser):
    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = PageForm(
                a.get("action") or self.url, (a.get("method") or "get").lower(), [], [], []
            )
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            form.names.append(a["name"])
            if kind == "file":
                form.files.append(a["name"])
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset"):
                form.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            form.names.append(a["name"])
            self._select, self._first_option, self._selected = a["name"], None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a and not self._selected:
                form.fields.append((self._select, value))
                self._selected = True
        elif tag == "textarea":
            form.names.append(a["name"])
            self._textarea = a["name"]
            form.fields.append((a["name"], ""))
        elif tag == "button" and a.get("name"):
            form.names.append(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select:
            if not self._selected and self._first_option is not None and self._form:
                self._form.fields.append((self._select, self._first_option))
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._form and self._form.fields:
            name, value = self._form.fields[-1]
            if name == self._textarea:
                self._form.fields[-1] = (name, value + data)


def page_forms(html: str, url: str = "") -> list[PageForm]:
    parser = _FormParser(url)
    parser.feed(html)
    return parser.forms


def form_on(client, url: str, action: str | None = None) -> PageForm:
    """The form of the page at ``url`` posting to ``action`` (default: the page itself)."""
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    forms = [
        f
        for f in page_forms(resp.get_data(as_text=True), url)
        if f.method == "post" and f.action.split("?")[0] == (action or url)
    ]
    assert forms, f"no form posting to {action or url} on {url}"
    return forms[0]


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


def account_mails(email: str) -> list[AccountNotification]:
    """The account mails (no tenant) of an address, oldest first."""
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AccountNotification)
            .join(User, User.id == AccountNotification.user_id)
            .where(User.email == email)
            .order_by(AccountNotification.id)
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
        deadline = time.monotonic() + 120  # two workers import the app: slow on a busy machine
        while True:
            found = LISTENING_RE.search(log.read_text())
            if found:
                base = f"http://127.0.0.1:{found.group(1)}"
                try:
                    if requests.get(base + "/login", timeout=10).status_code == 200:
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
