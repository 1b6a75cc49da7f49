"""Splitting a protocol's parent contact into name, phone and e-mail (no database)."""

from __future__ import annotations

from mkr_web.operations.admission_rows import split_contact


def test_split_contact():
    assert split_contact("Соколова Ирина Павловна, +7 913 555-01-02; mama@example.test") == (
        "Соколова Ирина Павловна",
        "+7 913 555-01-02",
        "mama@example.test",
    )
    assert split_contact("89135550102") == (None, "89135550102", None)
    assert split_contact(None) == (None, None, None)
