"""Reading smart-charging conformance cases (format ``ocpkit-smart-charging-case/1``) into ocpkit objects.

The folder is ``OCPKIT_SMART_CHARGING_CASES`` when set, else
``<shared>/conformance/smart-charging/cases``. The case format is described in
that folder's README; this module only translates it:

* the fixtures of libocpp write some date-times without an offset and mean UTC
  (README §2 "Conventions"); such strings get a ``Z`` here, and the C++
  placeholders ``<date::utc_clock::time_point::min()/max()>`` (a validity that
  never starts / never ends) are dropped, which is what an absent field means;
* a profile ``installed_via`` a SetChargingProfile goes through
  :meth:`ProfileStore.install` (rules applied, the expected status checked);
  one put in place by a test helper or a database mock is loaded as is
  (:meth:`ProfileStore.of`: a station's report, no rule, no replacement).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ocpkit._model import parse_rfc3339
from ocpkit.ocpp.smart_charging import ProfileStore, Station
from tests.conftest import shared_dir

_NAIVE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$")
_PLACEHOLDER = re.compile(r"^<.*time_point::(min|max)\(\)>$")
_VIA_RULES = ("SetChargingProfile", "conform_validate_and_add_profile")
_STATION_FIELDS = {f.name for f in fields(Station)}
_READ_HERE = {
    "evse_count",
    "supply_voltage",
    "default_number_phases",
    "supply_phases",
    "ac_phase_switching_supported",
}


def case_dir() -> Path | None:
    """The folder of cases to run, or ``None`` when neither the variable nor the shared folder is there."""
    named = os.environ.get("OCPKIT_SMART_CHARGING_CASES")
    if named:
        return Path(named)
    shared = shared_dir()
    if shared is None:
        return None
    path = shared / "conformance" / "smart-charging" / "cases"
    return path if path.is_dir() else None


def load_cases(folder: Path) -> list[dict[str, Any]]:
    """Every case file of the folder, sorted by id."""
    cases = []
    for path in sorted(folder.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        if case.get("format") == "ocpkit-smart-charging-case/1":
            cases.append(case)
    return cases


def normalised(value: Any) -> Any:
    """A fixture object with its zone-less date-times read as UTC and C++ time placeholders dropped."""
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if isinstance(item, str) and _PLACEHOLDER.match(item):
                continue
            out[key] = normalised(item)
        return out
    if isinstance(value, list):
        return [normalised(v) for v in value]
    if isinstance(value, str) and _NAIVE.match(value):
        return value + "Z"
    return value


def moment(text: str | None) -> datetime | None:
    """An RFC 3339 text of the case as an aware datetime."""
    return None if text is None else parse_rfc3339(normalised(text))


def station_of(case: Mapping[str, Any]) -> Station:
    """The :class:`Station` a case describes."""
    facts = case.get("station") or {}
    default = facts.get("default_limit") or {}
    phase_types = facts.get("evse_current_phase_type") or {}
    units = facts.get("supported_charging_rate_units")
    # Facts the case names like a Station field (2.1 support flags, limits ...) pass straight through.
    named = {k: v for k, v in facts.items() if k in _STATION_FIELDS and k not in _READ_HERE}
    return Station(
        **named,
        evse_count=facts.get("evse_count"),
        supply_voltage=Decimal(str(facts.get("supply_voltage", 230))),
        default_number_phases=facts.get("default_number_phases", 3),
        supply_phases=facts.get("supply_phases"),
        evse_current={int(k): v for k, v in phase_types.items()},
        default_limit_a=None if default.get("A") is None else Decimal(str(default["A"])),
        default_limit_w=None if default.get("W") is None else Decimal(str(default["W"])),
        charging_rate_units=None if units is None else frozenset(units),
        ac_phase_switching_supported=facts.get("ac_phase_switching_supported"),
    )


def evse_of(item: Mapping[str, Any]) -> int | None:
    """The EVSE (2.x) or connector (1.6) id of a case element."""
    return item.get("evse_id", item.get("connector_id"))


def store_of(case: Mapping[str, Any], station: Station) -> tuple[ProfileStore, list[str]]:
    """The store the case sets up, and the problems met while installing through the rules."""
    version = case["ocpp_version"]
    store = ProfileStore(version)
    for tx in case.get("transactions") or []:
        store = store.start_transaction(evse_of(tx), tx.get("transaction_id"), moment(tx.get("start")))
    now = moment(case.get("now"))
    problems: list[str] = []
    for entry in case.get("profiles") or []:
        profile = normalised(entry["charging_profile"])
        evse = evse_of(entry)
        via = str(entry.get("installed_via") or "")
        if via.startswith(_VIA_RULES):
            # libocpp's test helpers build profiles without the fields only the schema asks for
            # (case notes): its add-through-the-rules helper checks the rules, not the schema.
            helper = via.startswith("conform_validate_and_add_profile")
            result = store.install(profile, evse, now, station=station, check_schema=not helper)
            expected = entry.get("expected_set_status") or "Accepted"
            if result.status != expected:
                problems.append(
                    f"profile {profile.get('id', profile.get('chargingProfileId'))}: {result.status}, "
                    f"expected {expected}: {[r.message for r in result.refusals]}"
                )
            store = result.store
        else:
            store = store.put(profile, evse)
    return store, problems


def window_start(case: Mapping[str, Any]) -> datetime:
    """The request time; cases that give none (status-only ones) get a fixed one."""
    return moment(case.get("now")) or datetime(2024, 1, 1, tzinfo=UTC)
