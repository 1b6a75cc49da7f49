"""``options(rows, selected)``: a kept tuple of rows is written once, and each page marks its
own selection in that markup; the same markup as a list's."""

from mkr_web.web.formatting import options

ROWS = [(1, "Лицей № 1"), (12, 'Школа «<"2">»'), (123, "Гимназия")]


def test_a_kept_tuple_marks_each_pages_selection_as_a_list_does():
    kept = tuple(ROWS)
    for chosen in (None, 12, "123", 1, 999, None):
        assert str(options(kept, chosen)) == str(options(list(ROWS), chosen)), chosen
    assert str(options(kept, 12)) == (
        '<option value="1">Лицей № 1</option>'
        '<option value="12" selected>Школа «&lt;&#34;2&#34;&gt;»</option>'
        '<option value="123">Гимназия</option>'
    )
    assert str(options(kept, 1)).count("selected") == 1
    assert "selected" not in str(options(kept, None))
