"""Russian plural forms where a count meets a noun: the one shared helper
(mkr_web.documents.formats.plural), the Russian-only refusals that use it, the translated
password rule outside a request (the ru catalog's three forms) and the destruction act's
retention period."""

from __future__ import annotations

from datetime import date

import pytest

from mkr_web.documents import report_format
from mkr_web.documents.formats import counted, plural
from mkr_web.errors import OperationError
from mkr_web.imports.spec import CellError, Text

YEARS = ("год", "года", "лет")


@pytest.mark.parametrize(
    ("n", "form"),
    [
        (0, "лет"),
        (1, "год"),
        (2, "года"),
        (4, "года"),
        (5, "лет"),
        (11, "лет"),
        (12, "лет"),
        (14, "лет"),
        (21, "год"),
        (22, "года"),
        (25, "лет"),
        (101, "год"),
        (111, "лет"),
        (112, "лет"),
        (1001, "год"),
    ],
)
def test_plural_picks_the_form_after_the_count(n, form):
    assert plural(n, *YEARS) == form


def test_counted_writes_the_count_and_its_noun():
    assert counted(21, "символа", "символов", "символов") == "21 символа"
    assert counted(3, "строки", "строк", "строк") == "3 строк"


def test_the_report_uses_the_shared_helper():
    assert report_format.plural is plural
    assert report_format.HELPERS["plural"] is plural


@pytest.mark.parametrize(
    ("n", "reason"),
    [
        (1, "длиннее 1 символа"),
        (2, "длиннее 2 символов"),
        (5, "длиннее 5 символов"),
        (21, "длиннее 21 символа"),
    ],
)
def test_an_imported_cell_longer_than_its_column(n, reason):
    with pytest.raises(CellError) as refused:
        Text(n).parse("я" * (n + 1), {})
    assert str(refused.value) == reason


@pytest.mark.parametrize(
    ("n", "message"),
    [
        (1, "«Название»: не длиннее 1 символа."),
        (2, "«Название»: не длиннее 2 символов."),
        (5, "«Название»: не длиннее 5 символов."),
        (21, "«Название»: не длиннее 21 символа."),
    ],
)
def test_a_programme_text_longer_than_its_limit(n, message):
    from mkr_web.operations.programme import _text

    with pytest.raises(OperationError) as refused:
        _text("я" * (n + 1), "Название", n)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("n", "message"),
    [
        (1, "Пароль должен быть не короче 1 символа."),
        (2, "Пароль должен быть не короче 2 символов."),
        (5, "Пароль должен быть не короче 5 символов."),
        (21, "Пароль должен быть не короче 21 символа."),
    ],
)
def test_the_password_minimum_outside_a_request(monkeypatch, n, message):
    from mkr_web.operations import passwords

    monkeypatch.setattr(passwords, "MIN_LENGTH", n)
    assert message in passwords.password_problems("")


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "(1 год после выхода"),
        (2, "(2 года после выхода"),
        (5, "(5 лет после выхода"),
        (21, "(21 год после выхода"),
    ],
)
def test_the_destruction_act_states_the_retention_years(n, text):
    from mkr_web.documents.destruction_act import ERASED_CATEGORIES, KEPT, METHOD
    from mkr_web.documents.pdf import render_html

    html = render_html(
        "destruction_act.html",
        categories=ERASED_CATEGORIES,
        kept=KEPT,
        method=METHOD,
        number="УНИЧ-2026-001",
        approved_on=date(2026, 11, 30),
        operator="Оператор",
        tenant_name="Проект",
        count=1,
        record_numbers="1",
        reasons=[(1, "срок истёк")],
        retention_years=n,
        approver="Администратор",
        log_name="журнал.xlsx",
        log_count=1,
    )
    assert text in html
