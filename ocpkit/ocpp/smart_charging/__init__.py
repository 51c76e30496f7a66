"""Smart charging for a CSMS: charging-profile rules and composite schedules, OCPP 1.6 / 2.0.1 / 2.1.

Theory of operation: a station's installed profiles are a value, a
:class:`ProfileStore`. :meth:`ProfileStore.install` does what a conforming
station does with a SetChargingProfile -- it checks the schema and every
validity rule of the version and answers accepted or refused with the rule
(:class:`Refusal`, catalogued in :data:`RULES`); :meth:`ProfileStore.clear`
applies ClearChargingProfile criteria; transactions start and end on the
store, because Relative and Tx profiles follow them.
:func:`composite_schedule` computes what one EVSE (0: the whole station) may
draw over a window, combining purposes and stack levels the way the version
prescribes (see ``_compose`` for the rules) and naming, per period, the
profile that set the limit. :class:`Station` holds the station facts the
rules and conversions need (EVSE count, voltage, phases, supported units,
default limit). Nothing here reads a clock: every time is a parameter.

Profiles are accepted as wire-name dicts or as the generated models
(``ocpkit.ocpp.v16.datatypes.ChargingProfile``, ``v201``/``v21``
``ChargingProfileType``). Numbers are ``Decimal``; A and W are converted with
the supply voltage and the phases in use, divisions cut to six decimals
toward zero, and the OCPP text of a 1.6 / 2.0.1 composite schedule to one
decimal, toward zero (:meth:`CompositeSchedule.to_ocpp`).

``ocpkit.ocpp.smart_charging.watcher`` follows captured traffic with the same
store (a :mod:`watcher <ocpkit.ocpp.watch>` of the conversation fold);
``ocpkit.ocpp.smart_charging.plot`` draws a schedule as SVG.
"""

from __future__ import annotations

from ocpkit.ocpp.smart_charging._catalogue import RULES, Rule
from ocpkit.ocpp.smart_charging._compose import MAX_DURATION, composite_schedule
from ocpkit.ocpp.smart_charging._profile import (
    KINDS,
    PURPOSES,
    Period,
    Profile,
    Schedule,
    StoredProfile,
    Transaction,
    parse_profile,
)
from ocpkit.ocpp.smart_charging._query import expected_answer
from ocpkit.ocpp.smart_charging._rules import Refusal, conform
from ocpkit.ocpp.smart_charging._store import Cleared, Installed, ProfileStore
from ocpkit.ocpp.smart_charging._types import (
    CONVERSION_PLACES,
    CompositePeriod,
    CompositeSchedule,
    ProfileRef,
    Station,
)

__all__ = [
    "CONVERSION_PLACES",
    "KINDS",
    "MAX_DURATION",
    "PURPOSES",
    "RULES",
    "Cleared",
    "CompositePeriod",
    "CompositeSchedule",
    "Installed",
    "Period",
    "Profile",
    "ProfileRef",
    "ProfileStore",
    "Refusal",
    "Rule",
    "Schedule",
    "Station",
    "StoredProfile",
    "Transaction",
    "composite_schedule",
    "conform",
    "expected_answer",
    "parse_profile",
]
