"""The one normalising key of reference names (DOMAIN 8.5), without a database."""

import pytest

from mkr_web.queries.reference_names import Match, name_key, split_suffix


@pytest.mark.parametrize(
    "typed",
    [
        "МБОУ «СОШ № 1»",
        'мбоу "сош №1"',
        "МБОУ „СОШ № 1“",
        "  МБОУ   СОШ 1 ",
        "МБОУ “СОШ № 1”",
    ],
)
def test_spellings_share_one_key(typed):
    assert name_key(typed) == "мбоу сош 1"


def test_yo_and_case():
    assert name_key("Берёзовский РАЙОН") == name_key("березовский район") == "березовский район"


def test_suffix_in_brackets():
    assert split_suffix("МБОУ «СОШ № 7» (ЗАТО Северск)") == ("МБОУ «СОШ № 7»", "ЗАТО Северск")
    assert split_suffix("МБОУ «СОШ № 7»") == ("МБОУ «СОШ № 7»", None)


def test_reasons_name_up_to_three_close_names():
    assert Match(None, ["А", "Б"]).reason("муниципалитет", "В") == (
        "муниципалитет «В» не найден в справочнике; возможно: «А», «Б»"
    )
    assert Match(None, [], ambiguous=True).reason("организация", "СОШ") == (
        "организация «СОШ» неоднозначна: укажите муниципалитет в скобках"
    )
