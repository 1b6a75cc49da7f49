"""The report's snapshots stay equal to the live query only if every write of the rows it reads
goes where ``operations.report_versions`` listens: the ORM session (flushes and ORM-enabled
DML) or ``operations.bulk.insert_rows`` (which notes its COPY). This lists the ways around
them in the app's code; a new one must note its rows (``report_versions.note_rows``) and be
added here with the reason."""

from __future__ import annotations

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "mkr_web"

AROUND_THE_SESSION = re.compile(
    r"bulk_save_objects|bulk_insert_mappings|bulk_update_mappings|exec_driver_sql"
    r"|\.cursor\(|\.connection\(\)\.execute|engine\.(begin|connect)\(|text\(\s*[\"'](?i:insert|update|delete)"
)

#: file -> why its way around the session is safe
ALLOWED = {
    "operations/bulk.py": "COPY: insert_rows calls report_versions.note_rows first",
    "operations/report_snapshot.py": "stores the snapshot itself (not a row the report reads)",
    "cli/citus.py": "DDL only: the Citus deployment's primary keys (no row changes)",
    "operations/distribution.py": "DDL only: ALTER TABLE … PRIMARY KEY (no row changes)",
    "queries/people.py": "a SELECT only: the registry's rows, read on the session's connection",
}


def test_no_write_goes_around_the_session_unnoted():
    found = {}
    for path in sorted(APP.rglob("*.py")):
        rel = path.relative_to(APP).as_posix()
        hits = [
            f"{rel}:{n}"
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if AROUND_THE_SESSION.search(line)
        ]
        if hits:
            found[rel] = hits
    assert sorted(found) == sorted(ALLOWED), found
