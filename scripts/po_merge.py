"""A git merge driver for gettext catalogs: the union of both sides' translations.

Two branches that each add strings to ``messages.po`` conflict on neighbouring lines of a
sorted catalog although they never disagree. This driver reads the base, ours and theirs
with Babel and writes every message of either side (ours wins when both translated the
same id differently). Run ``scripts/i18n.sh`` after the merge: it drops strings no longer
in the code and recompiles the ``.mo``.

Enable it once per clone (``.gitattributes`` names the driver)::

    git config merge.po-union.driver ".venv/bin/python scripts/po_merge.py %O %A %B"
    git config merge.mo-regenerate.driver true
"""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def _read(path: str):
    with open(path, "rb") as fh:
        return read_po(fh)


def merge(base_path: str, ours_path: str, theirs_path: str) -> int:
    ours = _read(ours_path)
    theirs = _read(theirs_path)
    for message in theirs:
        if not message.id:
            continue
        mine = ours.get(message.id, message.context)
        if mine is None:
            ours[message.id] = message
        elif not mine.string or (isinstance(mine.string, tuple) and not any(mine.string)):
            mine.string = message.string
    with open(ours_path, "wb") as fh:
        write_po(fh, ours, width=100, sort_output=True, omit_header=False, no_location=True)
    return 0


if __name__ == "__main__":
    sys.exit(merge(*sys.argv[1:4]))
