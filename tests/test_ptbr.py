"""pt-BR formatting shared by every app."""

import pytest

from secretaria.ptbr import WEEKDAY_NAMES, WEEKDAY_NUMBERS, WEEKDAYS, brl, fold


@pytest.mark.parametrize(("cents", "text"), [
    (0, "R$ 0,00"), (5, "R$ 0,05"), (15000, "R$ 150,00"), (120000, "R$ 1.200,00"),
    (123456789, "R$ 1.234.567,89"), (None, ""),
])
def test_money_is_written_the_brazilian_way(cents, text):
    assert brl(cents) == text


def test_folding_drops_accents_case_and_extra_spaces():
    assert fold("  Olá,   BOM  dia! Pode ser às 15h na terça?") == "ola, bom dia! pode ser as 15h na terca?"
    assert fold("") == ""


def test_weekday_names_agree_with_each_other():
    assert [WEEKDAY_NUMBERS[fold(name)] for name in WEEKDAY_NAMES] == list(range(7))
    assert all(full.startswith(short) for full, short in zip(WEEKDAYS, WEEKDAY_NAMES, strict=True))
