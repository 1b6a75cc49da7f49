"""The test suite's npm packages (the OpenID provider in ``tests/oidc``, axe-core in
``tests/e2e/axe``): ``npm ci`` from the committed ``package-lock.json`` the first time, or when
the lock file changed (a stamp in ``node_modules`` remembers); ``node_modules`` is never
committed. ``.ci/run`` installs both once before its two legs start."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path


def npm_ci(folder: Path, needed_by: str, error: type[Exception], tools=("npm",)) -> None:
    """Install ``folder``'s locked packages unless they are there already; a missing tool or
    a failing ``npm ci`` raises ``error`` naming what ``needed_by`` needs."""
    for tool in tools:
        if shutil.which(tool) is None:
            raise error(
                f"{needed_by} need {tool} (Node.js 20 or later): apt-get install -y nodejs npm"
            )
    stamp = folder / "node_modules" / ".mkr-lock-sha256"
    want = hashlib.sha256((folder / "package-lock.json").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == want:
        return
    result = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise error(f"npm ci failed in {folder.name}:\n" + result.stderr[-2000:])
    stamp.write_text(want)
