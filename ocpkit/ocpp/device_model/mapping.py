"""Which OCPP 2.x variable replaces an OCPP 1.6 configuration key, source by source.

Theory of operation. The table is generated from ``mapping_16_to_201.csv`` in
the shared reference folder, one :class:`MappingRow` per statement of one
source (the OCA uptime whitepaper, EVerest's ``known_keys.hpp``, the SAP
simulator's key map); nothing is inferred here. :func:`mapping_16_to_2x`
groups the statements about one key by the target they name, so a key on
which the sources agree has one :class:`Target` with several sources, and a
key on which they disagree has several targets, each saying who names it.
Targets outside the OCA catalogue (EVerest's own ``OCPP16LegacyCtrlr``, which
EVerest uses for keys it says have no standard 2.x equivalent) are marked
``standard=False``. Key names compare case-insensitively (1.6 keys are
``CiString50Type``; the SAP map spells ``HeartBeatInterval``).
"""

from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import dataclass

__all__ = [
    "KeyMapping",
    "MappingRow",
    "Target",
    "mapped_keys",
    "mapping_2x_to_16",
    "mapping_16_to_2x",
    "mapping_rows",
]


@dataclass(frozen=True, slots=True)
class MappingRow:
    """One source's statement that 1.6 key ``key_16`` becomes ``component.variable[instance]``.

    ``target_field`` is ``"Actual"`` or ``"VariableCharacteristics.maxLimit"``
    (the 1.6 ``...MaxLength`` keys become a list variable's maximum length).
    ``source`` names the repository, commit and file (or the document);
    ``source_kind`` is ``"OCA"`` or ``"implementation (Apache-2.0)"``;
    ``key_16_origin`` where the 1.6 key is defined; ``target_in_oca_catalogue``
    whether the target is in the OCA 2.0.1 tables (``"no"``, or which table);
    ``notes`` the reference folder's own remark on the row.
    """

    key_16: str
    component: str
    variable: str
    instance: str | None
    target_field: str
    source: str
    source_kind: str
    key_16_origin: str
    target_in_oca_catalogue: str
    notes: str

    @property
    def source_label(self) -> str:
        """A short name for the source: ``"OCA"``, ``"EVerest"`` or ``"SAP"`` (else the repository)."""
        if self.source_kind == "OCA":
            return "OCA"
        repo = self.source.split("@", 1)[0]
        return {"EVerest/EVerest": "EVerest", "SAP/e-mobility-charging-stations-simulator": "SAP"}.get(
            repo, repo
        )

    @property
    def target(self) -> str:
        """``Component.Variable[instance]``, with the characteristic when the target is not the value."""
        text = f"{self.component}.{self.variable}" + (f"[{self.instance}]" if self.instance else "")
        return text if self.target_field == "Actual" else f"{text} ({self.target_field})"


@dataclass(frozen=True, slots=True)
class Target:
    """A 2.x variable that some sources name for a 1.6 key, and who names it."""

    component: str
    variable: str
    instance: str | None
    target_field: str
    sources: tuple[MappingRow, ...]

    @property
    def standard(self) -> bool:
        """False when the target is not in the OCA tables (an implementation's own component)."""
        return any(row.target_in_oca_catalogue != "no" for row in self.sources)

    @property
    def said_by(self) -> tuple[str, ...]:
        """The short names of the sources that name this target."""
        return tuple(dict.fromkeys(row.source_label for row in self.sources))

    @property
    def text(self) -> str:
        """The target as ``Component.Variable[instance]`` (with the characteristic, if not the value)."""
        return self.sources[0].target


@dataclass(frozen=True, slots=True)
class KeyMapping:
    """Everything the sources say about one 1.6 key: one target when they agree, several when not."""

    key: str
    origin: str
    targets: tuple[Target, ...]

    @property
    def agreed(self) -> bool:
        """True when every source names the same target."""
        return len(self.targets) == 1

    @property
    def disagreement(self) -> str | None:
        """``None`` when the sources agree, else who says what (``"SAP: A.B; EVerest, OCA: A.C"``)."""
        if self.agreed:
            return None
        return "; ".join(f"{', '.join(t.said_by)}: {t.text}" for t in self.targets)


_ROWS: tuple[MappingRow, ...] | None = None
_BY_KEY: dict[str, list[MappingRow]] = {}


def mapping_rows() -> tuple[MappingRow, ...]:
    """Every row of the shared mapping table, in its order (loaded on first use)."""
    global _ROWS
    if _ROWS is None:
        rows: tuple[MappingRow, ...] = importlib.import_module(f"{__package__}._mapping").ROWS
        for row in rows:
            _BY_KEY.setdefault(row.key_16.casefold(), []).append(row)
        _ROWS = rows
    return _ROWS


def _group(key: str, rows: list[MappingRow]) -> KeyMapping:
    targets: dict[tuple[str, str, str | None, str], list[MappingRow]] = {}
    for row in rows:
        targets.setdefault((row.component, row.variable, row.instance, row.target_field), []).append(row)
    # Targets that more sources name come first; OCA's statements before implementations'.
    ordered = sorted(
        targets.items(),
        key=lambda item: (-len(item[1]), not any(r.source_kind == "OCA" for r in item[1]), item[0][:2]),
    )
    spelling = Counter(r.key_16 for r in rows).most_common(1)[0][0]
    origins = Counter(r.key_16_origin for r in rows).most_common(1)[0][0]
    return KeyMapping(
        key=spelling if key.casefold() == spelling.casefold() else key,
        origin=origins,
        targets=tuple(Target(c, v, i, f, tuple(found)) for (c, v, i, f), found in ordered),
    )


def mapping_16_to_2x(key: str) -> KeyMapping | None:
    """What the sources say replaces OCPP 1.6 configuration key *key*; ``None`` when no source maps it.

    >>> m = mapping_16_to_2x("HeartbeatInterval")
    >>> m.agreed, m.targets[0].text, m.targets[0].said_by
    (True, 'OCPPCommCtrlr.HeartbeatInterval', ('OCA', 'EVerest', 'SAP'))
    """
    mapping_rows()
    if not isinstance(key, str):
        return None
    rows = _BY_KEY.get(key.casefold())
    return _group(rows[0].key_16, rows) if rows else None


def mapping_2x_to_16(component: str, variable: str, instance: str | None = None) -> tuple[KeyMapping, ...]:
    """The 1.6 keys some source maps to ``component.variable`` (and *instance*, when given).

    Each result is the whole :class:`KeyMapping` of that key, so a key whose
    sources disagree shows the other targets too.
    """
    found = []
    want = (component.casefold(), variable.casefold())
    for key_rows in _keys():
        if any(
            (r.component.casefold(), r.variable.casefold()) == want
            and (instance is None or (r.instance or "").casefold() == instance.casefold())
            for r in key_rows
        ):
            found.append(_group(key_rows[0].key_16, key_rows))
    return tuple(found)


def _keys() -> list[list[MappingRow]]:
    mapping_rows()
    return [rows for _, rows in sorted(_BY_KEY.items())]


def mapped_keys() -> tuple[KeyMapping, ...]:
    """Every 1.6 key of the table with what its sources say, sorted by key."""
    return tuple(_group(rows[0].key_16, rows) for rows in _keys())
