"""Display formats: times in the tenant's zone, Russian dates, comma decimals and narrow
no-break spaces between thousands."""

from __future__ import annotations

from datetime import date, datetime

from mkr_web.documents.formats import decimal, is_zone, utc_offset, when, zone_city


def test_a_stored_utc_time_is_shown_in_the_zone():
    at = datetime(2026, 11, 29, 20, 5)  # naive UTC, as stored
    assert when(at, "Asia/Tomsk") == "30.11.2026 03:05"
    assert when(at, "Europe/Moscow") == "29.11.2026 23:05"
    assert when(at, "Asia/Tomsk", seconds=True) == "30.11.2026 03:05:00"
    assert when(date(2026, 2, 3), "Asia/Tomsk") == "03.02.2026"
    assert when(None) == ""


def test_zone_names_and_offsets():
    assert utc_offset("Asia/Tomsk") == "+7"
    assert utc_offset("Europe/Moscow") == "+3"
    assert utc_offset("Asia/Kolkata") == "+5:30"
    assert zone_city("Asia/Tomsk") == "Томск"
    assert zone_city("Asia/Tomsk", "en") == "Tomsk"
    assert is_zone("Asia/Tomsk")
    assert not is_zone("Asia/Atlantis")
    assert not is_zone("")


def test_numbers_have_a_decimal_comma_and_narrow_spaces():
    assert decimal(39.75, 2) == "39,75"
    assert decimal(50, 2) == "50,00"
    assert decimal(12345.678, 2) == "12\u202f345,68"
    assert decimal(1234567) == "1\u202f234\u202f567"
    assert decimal(2.5) == "2,5"
    assert decimal(-3.25, 1) == "−3,2"
    assert decimal(None) == "—"


def test_xlsx_cells_carry_russian_display_formats():
    import io

    from openpyxl import load_workbook

    from mkr_web.documents.tables import xlsx_bytes, xlsx_stream_bytes

    row = [1234567, 39.75, date(2026, 2, 3), datetime(2026, 2, 3, 4, 5), "текст", True]
    for data in (
        xlsx_bytes("Лист", list("abcdef"), [row]),
        xlsx_stream_bytes("Лист", list("abcdef"), [row]),
    ):
        ws = load_workbook(io.BytesIO(data)).active
        cells = list(ws.iter_rows(min_row=2, max_row=2))[0]
        assert [c.number_format for c in cells] == [
            "#,##0",
            "#,##0.00",
            "DD.MM.YYYY",
            "DD.MM.YYYY HH:MM",
            "General",
            "General",
        ]
        assert [c.value for c in cells][:2] == [1234567, 39.75]  # still numbers


def test_nested_quotes_become_low_high_quotes():
    from mkr_web.documents.formats import nest_quotes

    assert nest_quotes("«Конференция «Шаг в науку»»") == "«Конференция „Шаг в науку“»"
    assert nest_quotes("Заявка «A» и «B»") == "Заявка «A» и «B»"
    assert nest_quotes("«a «b «c»» d»") == "«a „b „c““ d»"
    # an unbalanced quote stays in its line
    assert nest_quotes("«a «b»\n«c» «d»") == "«a „b“\n«c» «d»"


def test_gender_from_the_patronymic():
    from mkr_web.documents.formats import grammatical_gender

    assert grammatical_gender("Петровна") == "f"
    assert grammatical_gender("Ильинична") == "f"
    assert grammatical_gender("Сергеевич") == "m"
    assert grammatical_gender("Ильич") == "m"
    assert grammatical_gender("Мамед оглы") == "m"
    assert grammatical_gender(None) is None
    assert grammatical_gender("") is None


def test_the_demo_summary_speaks_russian():
    from mkr_web.cli.demo import summary

    lines = summary({"admission_batches": 5, "persons": 552, "tenant": 1, "mystery_rows": 2})
    assert lines == [
        "  проект: 1",
        "  карточки людей: 552",
        "  протоколы результатов: 5",
        "  mystery_rows: 2",
    ]


def test_select_options_escape_their_labels_and_mark_the_choice():
    from mkr_web.web.formatting import options

    rows = [(3, "Школа «А» & Co"), (12, "<b>Лицей</b>"), (1, "Гимназия")]
    assert str(options(rows, 12)) == (
        '<option value="3">Школа «А» &amp; Co</option>'
        '<option value="12" selected>&lt;b&gt;Лицей&lt;/b&gt;</option>'
        '<option value="1">Гимназия</option>'
    )
    assert "selected" not in options(rows, None)
    assert "selected" not in options(rows, 2)  # 12 is not 2 (no prefix match)
    assert str(options([('a"b', "x")], 'a"b')) == '<option value="a&#34;b" selected>x</option>'
