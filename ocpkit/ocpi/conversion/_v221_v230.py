"""The conversion tables between OCPI 2.2.1 and 2.3.0, both directions.

Theory of operation: as in :mod:`ocpkit.ocpi.conversion._from_v211`, one table per
class that changes, per direction. Between these versions the changes are few:
prices carry a list of taxes instead of one amount incl. VAT, tariffs say
whether their prices include taxes, hubs are named by ``hub_party_id`` instead
of a HUB role, and 2.3.0 adds parking, booking and payment fields that 2.2.1
cannot hold. Enums that became OpenEnums in 2.3.0 need no rule going up; going
down, values 2.2.1 lacks are left out by the engine, or mapped where 2.2.1 has a
catch-all value.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ocpkit.ocpi.conversion._rules import (
    MISSING,
    EnumMap,
    Env,
    Table,
    View,
    default,
    derive,
    drop,
    override,
    refuse,
    rename,
    table,
)

__all__ = ["ENUM_MAPS", "TABLES"]

UP, DOWN = ("2.2.1", "2.3.0"), ("2.3.0", "2.2.1")

_ONE_AMOUNT = (
    "a 2.2.1 Price holds one amount incl. VAT: several taxes are summed into it; tax names other than "
    "VAT, rates and account numbers are not carried"
)
_TAX_INCLUDED = (
    "tax_included is YES: 2.2.1 tariff prices exclude VAT, so the prices would change meaning; the "
    "Tariff is not converted"
)


def _vat_taxes(src: View, env: Env) -> Any:
    # OCPI 2.3.0 types TaxAmount: a generic tax may be named "VAT"; 2.2.1 Price holds excl. and incl. VAT.
    incl = src.use("incl_vat")
    excl = src.get("excl_vat")
    if incl is MISSING or excl is MISSING:
        return MISSING
    return [{"name": "VAT", "amount": Decimal(incl) - Decimal(excl)}]


def _incl_vat(src: View, env: Env) -> Any:
    taxes = src.get("taxes")
    before = src.get("before_taxes")
    if not isinstance(taxes, list) or before is MISSING:
        return MISSING
    if len(taxes) > 1:
        src.lose("taxes", _ONE_AMOUNT)
    total = Decimal(0)
    for i, tax in enumerate(taxes):
        total += Decimal(src.use(f"taxes/{i}/amount"))
        if len(taxes) == 1 and tax.get("name") == "VAT":
            src.use(f"taxes/{i}/name")
    return Decimal(before) + total


def _hub_party_id(src: View, env: Env) -> Any:
    # OCPI 2.3.0 credentials: a hub gives its country code and party ID, concatenated, in hub_party_id.
    for i, role in enumerate(src.get("roles") or []):
        if isinstance(role, dict) and role.get("role") == "HUB":
            for f in ("role", "country_code", "party_id"):
                src.use(f"roles/{i}/{f}")
            return f"{role.get('country_code', '')}{role.get('party_id', '')}"
    return MISSING


def _roles_without_hub(src: View, env: Env) -> Any:
    # OCPI 2.3.0 Role has no HUB: hubs list the parties reachable through them instead.
    roles = src.get("roles")
    if not isinstance(roles, list):
        return MISSING
    return [
        src.take(f"roles/{i}")
        for i, r in enumerate(roles)
        if not (isinstance(r, dict) and r.get("role") == "HUB")
    ]


_BOOKING = "2.2.1 has no bookings: the TariffElement for bookings is left out"
_HUB = "2.3.0 has no HUB role: the hub is named by hub_party_id, its business details are not carried"

TABLES: tuple[Table, ...] = (
    # ---- up: 2.2.1 -> 2.3.0 ----
    table(
        "Price",
        *UP,
        rename("excl_vat", "before_taxes"),
        derive("taxes", ["incl_vat"], _vat_taxes, "one tax named VAT of incl_vat minus excl_vat"),
    ),
    table(
        "Price",
        *UP,
        rename("excl_vat", "before_taxes"),
        rename("incl_vat", "after_taxes"),
        target_name="PriceLimit",
        note="Tariff.min_price and max_price",
    ),
    table(
        "Tariff",
        *UP,
        default("tax_included", "NO", "2.2.1 tariff prices exclude VAT: taxes come on top"),
    ),
    table(
        "Credentials",
        *UP,
        derive(
            "hub_party_id",
            ["roles"],
            _hub_party_id,
            "country code and party ID of the HUB role, concatenated",
            lost=_HUB,
        ),
        derive("roles", ["roles"], _roles_without_hub, "the roles other than HUB", lost=_HUB),
    ),
    # ---- down: 2.3.0 -> 2.2.1 ----
    table(
        "Price",
        *DOWN,
        rename("before_taxes", "excl_vat"),
        derive(
            "incl_vat",
            ["taxes"],
            _incl_vat,
            "before_taxes plus the amounts of the taxes",
            lost=_ONE_AMOUNT,
        ),
    ),
    table(
        "PriceLimit",
        *DOWN,
        rename("before_taxes", "excl_vat"),
        rename("after_taxes", "incl_vat"),
        target_name="Price",
        note="Tariff.min_price and max_price",
    ),
    table(
        "Tariff",
        *DOWN,
        # OCPI 2.2.1 mod_tariffs: prices are excl. VAT. 2.3.0 TaxIncluded: YES, NO or N/A.
        refuse("tax_included", _TAX_INCLUDED, scope="Tariff", when=lambda v: v == "YES"),
        drop(
            "tax_included",
            "2.2.1 cannot say that no taxes apply (N/A): the prices are read as excl. VAT",
            implied="NO",
        ),
        drop("preauthorize_amount", "2.2.1 has no Payments module"),
    ),
    table(
        "TariffRestrictions",
        *DOWN,
        refuse("booking", _BOOKING, scope="TariffElement"),
    ),
    table(
        "Credentials", *DOWN, drop("hub_party_id", "2.2.1 names a hub by a HUB role with business details")
    ),
    table(
        "Location",
        *DOWN,
        drop("parking_places", "2.2.1 Locations have no parking places"),
        drop("help_phone", "2.2.1 Locations have no help phone number"),
    ),
    table(
        "EVSE",
        *DOWN,
        drop("parking", "2.2.1 EVSEs have no parking places"),
        drop("accepted_service_providers", "2.2.1 EVSEs do not list accepted service providers"),
    ),
    table("Connector", *DOWN, drop("capabilities", "2.2.1 Connectors have no capabilities")),
    table("CDR", *DOWN, drop("booking_id", "2.2.1 has no bookings")),
    *(
        table(name, *step, override("version", "version", "context['version'] replaces the version number"))
        for name in ("Version", "VersionDetails")
        for step in (UP, DOWN)
    ),
)

ENUM_MAPS: tuple[EnumMap, ...] = (
    EnumMap(
        "TokenType",
        *DOWN,
        {
            "EMAID": ("OTHER", "2.2.1 TokenType has no EMAID: written as OTHER"),
            "*": ("OTHER", "{value!r} is not a 2.2.1 TokenType: written as OTHER"),
        },
    ),
    EnumMap(
        "ImageCategory",
        *DOWN,
        {"*": ("OTHER", "{value!r} is not a 2.2.1 ImageCategory: written as OTHER")},
    ),
)
