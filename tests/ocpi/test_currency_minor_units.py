"""ISO 4217 minor units: the codes with other than two decimals, and the default for the rest."""

from __future__ import annotations

import pytest

from ocpkit.ocpi._codes import CURRENCIES, CURRENCY_MINOR_UNITS, minor_unit


@pytest.mark.parametrize(
    ("code", "places"),
    [
        ("EUR", 2),
        ("USD", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("ISK", 0),
        ("CLP", 0),
        ("BHD", 3),
        ("KWD", 3),
        ("TND", 3),
        ("OMR", 3),
        ("CLF", 4),
        ("UYW", 4),
        ("eur", 2),
        ("jpy", 0),
    ],
)
def test_known_codes(code: str, places: int) -> None:
    assert minor_unit(code) == places


@pytest.mark.parametrize("code", ["XYZ", "", "EURO", "€", "XAU", "XXX"])
def test_codes_without_a_minor_unit_use_two(code: str) -> None:
    assert minor_unit(code) == 2


def test_the_table_names_only_listed_codes() -> None:
    assert set(CURRENCY_MINOR_UNITS) <= CURRENCIES
    assert all(places in (0, 3, 4) for places in CURRENCY_MINOR_UNITS.values())
