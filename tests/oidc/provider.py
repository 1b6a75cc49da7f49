"""Start the test OpenID Connect provider (``provider.mjs``, the npm package ``oidc-provider``
with the machine's Node.js) on 127.0.0.1 and drive it like a user would.

The npm packages are installed with ``npm ci`` from the committed ``package-lock.json`` the
first time (or when the lock file changed); ``node_modules`` is never committed. A missing
``node``/``npm`` fails the tests that need the provider, naming what to install.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from tests.npm import npm_ci

HERE = Path(__file__).resolve().parent


class ProviderUnavailable(RuntimeError):
    pass


def install() -> None:
    """``npm ci`` when node_modules is missing or older than package-lock.json."""
    npm_ci(HERE, "the single sign-on tests", ProviderUnavailable, tools=("node", "npm"))


class Provider:
    """A running provider: its issuer URL, client registration and a scripted login."""

    def __init__(self) -> None:
        install()
        self.proc = subprocess.Popen(
            ["node", str(HERE / "provider.mjs")],
            cwd=HERE,
            env={"PATH": _path(), "PORT": "0", "NODE_ENV": "test"},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.proc.stdout.readline()
        if not line.startswith("listening "):
            self.stop()
            raise ProviderUnavailable(f"the OIDC provider did not start: {line!r}")
        self.port = int(line.split()[1])
        self.issuer = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def register(self, redirect_uri: str) -> tuple[str, str]:
        """A new client (RFC 7591): ``(client_id, client_secret)``."""
        resp = requests.post(
            self.issuer + "/reg",
            json={
                "redirect_uris": [redirect_uri],
                "token_endpoint_auth_method": "client_secret_basic",
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
            },
            timeout=10,
        )
        resp.raise_for_status()
        data = resp.json()
        return data["client_id"], data["client_secret"]

    def set_clock(self, offset_seconds: int) -> None:
        requests.post(f"{self.issuer}/_test/clock?offset={offset_seconds}", timeout=5)

    def sign_in(self, authorization_url: str, email: str) -> str:
        """Follow the provider's pages as a browser would, typing ``email`` on its login
        form; returns the URL it finally sends the browser to (the app's callback)."""
        browser = requests.Session()
        url = authorization_url
        for _ in range(10):
            resp = browser.get(url, allow_redirects=False, timeout=10)
            if resp.status_code in (302, 303):
                url = urljoin(url, resp.headers["Location"])
                if not url.startswith(self.issuer):
                    return url
                continue
            if resp.status_code == 200 and 'name="login"' in resp.text:
                path = resp.text.split('action="')[1].split('"')[0]
                resp = browser.post(
                    urljoin(url, path), data={"login": email}, allow_redirects=False, timeout=10
                )
                assert resp.status_code in (302, 303), resp.text[:500]
                url = urljoin(url, resp.headers["Location"])
                if not url.startswith(self.issuer):
                    return url
                continue
            raise AssertionError(
                f"unexpected provider answer {resp.status_code}: {resp.text[:500]}"
            )
        raise AssertionError("too many redirects at the provider")


def callback_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _path() -> str:
    import os

    return os.environ.get("PATH", "/usr/bin:/bin")
