"""The one tabular import machinery (XLSX/CSV, encodings, header mapping, typed validation,
server-side preview, all-or-nothing commit), shared by every importer.

- :mod:`.spec`: declarative :class:`TableSpec`/:class:`Column` and the value types.
- :mod:`.reader`: XLSX (openpyxl, read-only) and CSV (UTF-8/Windows-1251, ``;``/``,``).
- :mod:`.parse`: header mapping and per-row validation with row/column/reason errors.
- :mod:`.preview`: the preview as a JSON file in storage, owned by the uploading user.
- :mod:`.base`: :class:`Importer` and the upload → preview → commit flow.
- :mod:`.template`: the downloadable XLSX template of a spec.
- Importers: :mod:`.persons` (the bank's persons), :mod:`.social` (group member lists).
"""

from ..errors import ImportRefused
from .base import (
    Importer,
    commit_payload,
    commit_preview,
    error_count,
    load_preview,
    preview_cells,
    preview_upload,
    with_collector_paused,
)
from .spec import Column, TableSpec

__all__ = [
    "Column",
    "ImportRefused",
    "Importer",
    "TableSpec",
    "commit_payload",
    "commit_preview",
    "error_count",
    "load_preview",
    "preview_cells",
    "preview_upload",
    "with_collector_paused",
]
