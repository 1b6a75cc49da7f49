"""Rows sent as JSON through the one import machinery: the same header mapping, typed cells,
row rules, preview and all-or-nothing commit as an uploaded file (:mod:`mkr_web.imports`).
A row is named by its position in ``rows`` (from 1)."""

from __future__ import annotations

from collections.abc import Callable

from flask_login import current_user

from ..access import current_membership, current_role
from ..imports import Importer, commit_payload, preview_cells
from .core import Problem, commit, json_response

HEADER_ROW = 1  # the cells handed to the machinery start with a header row


def submit_table(
    importer: Importer,
    data: dict,
    match_of: Callable[[dict], str | None],
    result_of: Callable[[dict], dict],
):
    """Preview ``data["rows"]`` with ``importer``; any error: 422 naming each row and field,
    nothing written; ``dry_run``: 200 with the preview; else commit: 201 with
    ``result_of(importer's result)``."""
    columns = importer.spec.columns
    keys = {c.title: c.key for c in columns}
    cells = [[c.title for c in columns]] + [
        [row.get(c.key) for c in columns] for row in data["rows"]
    ]
    tenant_id = current_membership().tenant_id
    payload = commit(preview_cells, importer, tenant_id, cells, "api.json")
    for r in payload["rows"]:
        r["row"] -= HEADER_ROW
    preview = [
        {
            "row": r["row"],
            "match": match_of(r["match"]) if r.get("match") else None,
            "errors": [
                {"field": keys.get(col, ""), "column": col, "detail": why}
                for col, why in r["errors"]
            ],
        }
        for r in payload["rows"]
    ]
    errors = [dict(e, row=r["row"]) for r in preview for e in r["errors"]]
    if errors:
        raise Problem(
            422,
            f"Таблица не принята: ошибок — {len(errors)}. Ничего не записано.",
            errors=errors,
            slug="rows-refused",
        )
    if data["dry_run"]:
        return json_response({"rows": len(preview), "result": None, "preview": preview})
    result = commit(
        commit_payload,
        importer,
        tenant_id,
        current_user._get_current_object(),
        payload,
        {"filename": "api.json"},
        role=current_role(),
    )
    return json_response(
        {"rows": len(preview), "result": result_of(result), "preview": preview}, 201
    )
