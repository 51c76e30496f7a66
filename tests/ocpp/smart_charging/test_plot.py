"""The SVG plot: well-formed, deterministic text with one line per profile and gaps where limits are unknown."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

from ocpkit.ocpp.smart_charging import ProfileStore, Station, composite_schedule
from ocpkit.ocpp.smart_charging.plot import profile_schedules, schedule_svg
from tests.ocpp.smart_charging.test_compose import profile
from tests.ocpp.smart_charging.test_rules import NOW

SVG = "{http://www.w3.org/2000/svg}"


def test_the_plot_draws_the_composite_and_each_profile() -> None:
    station = Station(evse_count=1)
    store = ProfileStore.of(
        "2.0.1",
        [
            (profile("2.0.1", "ChargingStationMaxProfile", 1, [(0, 10)]), 0),
            (profile("2.0.1", "TxDefaultProfile", 2, [(0, 6), (60, 15)], duration=300), 1),
        ],
    )
    composite = composite_schedule(store, 1, NOW, 400, "A", station)
    lines = profile_schedules(store, 1, NOW, 400, "A", station)
    assert [label for label, _ in lines] == [
        "1 ChargingStationMaxProfile (stack 0)",
        "2 TxDefaultProfile (stack 0)",
    ]
    text = schedule_svg(composite, lines, title="max & default <A>")
    assert text == schedule_svg(composite, lines, title="max & default <A>")  # deterministic
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg" and "script" not in text
    assert root.find(f"{SVG}title").text == "max & default <A>"  # type: ignore[union-attr]
    paths = [p.get("d") for p in root.iter(f"{SVG}path")]
    # composite 6 A then 10 A; the max a flat 10 A; the TxDefault ends at 300 s (a gap after it).
    assert len(paths) == 3
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert "composite" in legend and "2 TxDefaultProfile (stack 0)" in legend


def test_unknown_limits_are_gaps_and_an_empty_store_still_plots() -> None:
    station = Station(evse_count=1)
    store = ProfileStore.of("2.0.1", [(profile("2.0.1", "TxDefaultProfile", 1, [(0, 6)], duration=60), 1)])
    composite = composite_schedule(store, 1, NOW, 7200, "A", station)
    assert [p.limit for p in composite.periods][1] is None
    root = ET.fromstring(schedule_svg(composite))
    assert len(list(root.iter(f"{SVG}path"))) == 1
    empty = composite_schedule(ProfileStore("2.0.1"), 1, NOW - timedelta(hours=2), 86400, "W", station)
    assert ET.fromstring(schedule_svg(empty)).find(f"{SVG}path") is None
