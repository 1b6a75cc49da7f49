"""Confirmation before an irreversible action, also without JavaScript.

A form that does something irreversible carries ``data-confirm`` (static/confirm.js asks in a
dialog and sends ``confirmed=1``). Its view calls :func:`confirmation_page` first: without
``confirmed=1`` (JavaScript off) it answers with a page that names what will happen and to how
many items, repeating the form's fields with one more button; with it, nothing (go on).
"""

from __future__ import annotations

from flask import render_template, request


def confirmation_page(question: str, *, back: str, count: int | None = None):
    """``None`` when the user confirmed; else the confirmation page to return."""
    if request.form.get("confirmed") == "1":
        return None
    fields = [
        (k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", "confirmed")
    ]
    return render_template(
        "confirm.html",
        question=question,
        count=count,
        fields=fields,
        action=request.path,
        back=back,
    )
