"""Compiled tariffs: a tariff read once and turned into the tables the engine walks.

Theory of operation. :func:`compile` normalises a tariff with
:func:`~ocpkit.tariffs._input.read_tariff` and resolves everything that does
not depend on the CDR: for each kind of period (charging, reservation,
expired reservation) and each dimension, the elements that may price it, in
the order they are tried, each with its component of that dimension, the
component's VAT factor and the element's restrictions as a
:class:`~ocpkit.tariffs._rules.Check` (``None`` when unrestricted); per kind,
the dimensions that have choices, each with the choice that needs no check
at all when the first choice is unrestricted; whether any restriction needs the local
time; whether a priced line's cost can be worked out after the fact (no VAT
factor of zero, the only divisor that could fail); the version's warnings
about the tariff; for the engine's straight-line runs, the choice per
dimension of a charging period when none needs a check (``plain``), whether
every choice of a dimension has one VAT rate (``checked``), a charging
period's plans by dimension (``charging``), and the kind of tax rule
(``tax``).
The result, :class:`CompiledTariff`, is immutable and compares and hashes by
its normalised content, version and zone; the tables are derived from those
and take no part in equality.

:class:`TariffCache` keeps the compiled form of tariffs given as dicts, keyed
by a serialisation of their content that writes every value with its type
(``marshal``, or ``pickle`` where marshal cannot write a value; see
:func:`_key`): two tariffs share an entry only when their content is the
same, so changing a dict between calls is safe. Neither the object's identity nor the tariff's ``id`` and
``last_updated`` can be the key: a dict may change under the same identity,
and the OCPI example tariffs reuse one ``id`` and ``last_updated`` for
different contents.
"""

from __future__ import annotations

import marshal
import pickle
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, tzinfo
from decimal import Decimal
from typing import Final

from ocpkit.errors import UnsupportedError
from ocpkit.tariffs._input import DIMENSIONS, NComponent, NTariff, read_tariff
from ocpkit.tariffs._rules import EXCLUDED, At, Check, Triple, in_context, tax_kind, tax_rule

__all__ = [
    "PER_VOLUME",
    "VERSIONS",
    "Choice",
    "CompiledTariff",
    "Pick",
    "Plan",
    "TariffCache",
    "compile",
    "compile_at",
]

#: OCPI versions whose tariff rules ocpkit implements.
VERSIONS: Final[tuple[str, ...]] = ("2.1.1", "2.2.1", "2.3.0")

#: Kinds of period, the first index of :attr:`CompiledTariff.plans`.
CHARGING, RESERVED, EXPIRED = 0, 1, 2
# A dimension with more choices than this, all restricted by local time only, is memoized.
_MEMO_FROM = 3


#: One way to price a dimension: (element index, component, its VAT factor, its check or None).
Choice = tuple[int, NComponent, Decimal | None, Check | None]
#: A choice as the engine prices it: (element index, component, its VAT factor, its unit
#: price, the key of its sums: (VAT rate, step units per volume unit)).
Pick = tuple[int, NComponent, Decimal | None, Decimal, tuple[Decimal | None, Decimal]]
#: One dimension's plan for one kind of period; see :attr:`CompiledTariff.active`.
Plan = tuple[int, Pick | None, tuple[tuple[Callable[[At], bool] | None, Pick], ...], bool]
# Step units per volume unit, by dimension index: OCPI TariffDimensionType step_size is in
# Wh for ENERGY and seconds for the times.
PER_VOLUME: Final = (Decimal(1), Decimal(1000), Decimal(3600), Decimal(3600))


@dataclass(frozen=True, eq=True)
class CompiledTariff:
    """A tariff compiled for one OCPI version (and optionally a default zone); see :func:`compile`.

    Equal (and of equal hash) when the normalised tariffs, the versions and the
    zones are equal. Pass it to :func:`~ocpkit.tariffs.price` or
    :func:`~ocpkit.tariffs.price_many` wherever a tariff is accepted.
    """

    #: The tariff as normalised by the reader (Decimal amounts, parsed restrictions).
    tariff: NTariff
    #: The OCPI version whose rules (tax, warnings) were resolved.
    version: str
    #: The zone used for CDRs that name none and are priced without ``tz``.
    tz: str | tzinfo | None = None
    plans: tuple[tuple[tuple[Choice, ...], ...], ...] = field(
        default=(), compare=False, repr=False, hash=False
    )
    local: bool = field(default=False, compare=False, repr=False, hash=False)
    memoized: tuple[tuple[bool, ...], ...] = field(default=(), compare=False, repr=False, hash=False)
    version_warnings: tuple[str, ...] = field(default=(), compare=False, repr=False, hash=False)
    # Per kind, for each dimension that has choices, in dimension order: (dimension, its
    # choice when it needs no check else None, its choices as (test or None, choice), whether
    # they are memoized).
    active: tuple[tuple[Plan, ...], ...] = field(default=(), compare=False, repr=False, hash=False)
    # True when no component has a VAT factor of zero: the lines' costs cannot fail later.
    lazy_lines: bool = field(default=True, compare=False, repr=False, hash=False)
    amount: Callable[[Decimal, Decimal | None, Decimal | None], Triple] = field(
        default=tax_rule("2.2.1", None), compare=False, repr=False, hash=False
    )
    # Choices of the memoized plans by (kind, dimension, local date, minute): a cache of a
    # pure function of the tariff, so it takes no part in equality either.
    memo: dict[tuple[int, int, date | None, int | None], int] = field(
        default_factory=dict, compare=False, repr=False, hash=False
    )
    # What the checks read of a period (see At): "minute", "day", "weekday", "duration".
    facts: frozenset[str] = field(default=frozenset(), compare=False, repr=False, hash=False)
    # When every dimension of a charging period is priced without a check and the lines'
    # costs cannot fail: the choice per dimension index (None where none prices it), for
    # the engine's straight-line run; else None.
    plain: tuple[Pick | None, Pick | None, Pick | None, Pick | None] | None = field(
        default=None, compare=False, repr=False, hash=False
    )
    # When the lines' costs cannot fail and every choice of a dimension (FLAT aside) of a
    # charging period has the same VAT rate: one (VAT rate, unit) key per cost group.
    checked: bool = field(default=False, compare=False, repr=False, hash=False)
    # The kind of tax rule that amount applies (see tax_kind), for the engine's inlined copy.
    tax: int = field(default=EXCLUDED, compare=False, repr=False, hash=False)
    # The plans of a charging period by dimension index (None where no element prices the
    # dimension), for the checked run, which handles each dimension in its own variables.
    charging: tuple[Plan | None, Plan | None, Plan | None, Plan | None] = field(
        default=(None, None, None, None), compare=False, repr=False, hash=False
    )

    @property
    def id(self) -> str | None:
        """The tariff's ``id``."""
        return self.tariff.id

    @property
    def currency(self) -> str:
        """The tariff's currency (ISO 4217, upper case)."""
        return self.tariff.currency


def _factor(vat: Decimal | None) -> Decimal | None:
    # The same expression as the tax rule applies, computed once per component.
    return None if vat is None else 1 + vat / 100


def _build(tariff: NTariff, version: str, tz: str | tzinfo | None) -> CompiledTariff:
    indexed = [
        (i, e, Check(e.restrictions) if Check.needed(e.restrictions) else None)
        for i, e in enumerate(tariff.elements)
    ]
    # OCPI 2.2.1 tariffs, ReservationRestrictionType: an expired reservation is
    # priced by RESERVATION_EXPIRES elements first, then by RESERVATION ones.
    kinds: tuple[tuple[str | None, ...], ...] = (
        (None,),
        ("RESERVATION",),
        ("RESERVATION_EXPIRES", "RESERVATION"),
    )
    # The first component of each dimension in each element, with its VAT factor.
    firsts: list[dict[str, tuple[NComponent, Decimal | None]]] = []
    for element in tariff.elements:
        first: dict[str, tuple[NComponent, Decimal | None]] = {}
        for c in element.components:
            if c.type not in first:
                first[c.type] = (c, _factor(c.vat))
        firsts.append(first)
    plans = []
    for wanted in kinds:
        allowed = [x for kind in wanted for x in indexed if x[1].restrictions.reservation == kind]
        per_dimension = []
        for dimension in DIMENSIONS:
            choices: list[Choice] = []
            for index, _, check in allowed:
                # OCPI 2.2.1 tariffs, Tariff object: per dimension, the first element in
                # the list that has a component of that dimension and whose restrictions match.
                found = firsts[index].get(dimension)
                if found is not None:
                    choices.append((index, found[0], found[1], check))
            per_dimension.append(tuple(choices))
        plans.append(tuple(per_dimension))
    local = any(c is not None and c.local for _, _, c in indexed)
    # Many elements restricted by local time only (a price per hour of the day, say): remember
    # the choice per local minute instead of trying the elements again.
    memoized = tuple(
        tuple(
            len(options) > _MEMO_FROM and all(c[3] is None or c[3].local_only for c in options)
            for options in plan
        )
        for plan in plans
    )

    def pick(choice: Choice, dimension: int) -> Pick:
        component = choice[1]
        return (choice[0], component, choice[2], component.price, (component.vat, PER_VOLUME[dimension]))

    active = tuple(
        tuple(
            (
                dimension,
                pick(options[0], dimension) if options[0][3] is None else None,
                tuple((None if c[3] is None else c[3].test, pick(c, dimension)) for c in options),
                memoized[kind][dimension],
            )
            for dimension, options in enumerate(plan)
            if options
        )
        for kind, plan in enumerate(plans)
    )
    facts: set[str] = set()
    for _, _, check in indexed:
        if check is not None:
            facts |= check.facts
    if any(any(m) for m in memoized):
        # The memo's key: the local date and minute.
        facts |= {"minute", "day"}
    lazy_lines = not any(
        c[2] is not None and c[2] == 0 for plan in plans for options in plan for c in options
    )
    chosen_by_dimension: dict[int, Pick | None] = {d: c for d, c, _, _ in active[CHARGING]}
    by_plan: dict[int, Plan] = {plan[0]: plan for plan in active[CHARGING]}
    plain = None
    if lazy_lines and None not in chosen_by_dimension.values():
        get = chosen_by_dimension.get
        plain = (get(0), get(1), get(2), get(3))
    # FLAT is billed once: one line, one key, whatever its choices.
    checked = lazy_lines and all(
        len({c[1].vat for c in options}) == 1 for options in plans[CHARGING][1:] if options
    )
    notes = []
    if version == "2.1.1" and any(c.vat is not None for e in tariff.elements for c in e.components):
        notes.append("vat is not part of OCPI 2.1.1; ignored")
    if version == "2.3.0" and tariff.tax_included is None:
        notes.append("tax_included missing on a 2.3.0 tariff; prices read as excluding VAT")
    return CompiledTariff(
        tariff,
        version,
        tz,
        tuple(plans),
        local,
        memoized,
        tuple(notes),
        active,
        lazy_lines,
        tax_rule(version, tariff.tax_included),
        facts=frozenset(facts),
        plain=plain,
        checked=checked,
        tax=tax_kind(version, tariff.tax_included),
        charging=(by_plan.get(0), by_plan.get(1), by_plan.get(2), by_plan.get(3)),
    )


def check_version(version: str) -> str:
    """Return ``version`` when ocpkit prices it, else raise :class:`UnsupportedError`."""
    if version not in VERSIONS:
        raise UnsupportedError(f"unknown OCPI version {version!r}; expected one of {', '.join(VERSIONS)}")
    return version


def compile_at(tariff: object, version: str, tz: str | tzinfo | None, path: str) -> CompiledTariff:
    """:func:`compile` with the JSON path that errors and warnings name (``tariffs[2]`` ...)."""
    return _build(read_tariff(tariff, path), version, tz)


def compile(tariff: object, version: str = "2.2.1", tz: str | tzinfo | None = None) -> CompiledTariff:
    """Read and compile one OCPI Tariff (mapping or model) for pricing many CDRs.

    ``version`` is the OCPI version of the CDRs it will price (its tax rules).
    ``tz`` (IANA name or tzinfo) is the zone to read restrictions in for CDRs
    whose location names none, when :func:`~ocpkit.tariffs.price` is given no
    ``tz`` either. Raises :class:`~ocpkit.errors.PricingError` for a tariff
    that cannot be read, :class:`~ocpkit.errors.UnsupportedError` for an
    unknown version.
    """
    check_version(version)
    return in_context(compile_at, tariff, version, tz, "tariff")


# --------------------------------------------------------------------------- the cache


def _key(tariff: dict[str, object]) -> tuple[bool, bytes]:
    """The cache key of a tariff's content: equal keys only for equal content, types included.

    ``marshal`` first, about twice as fast as ``pickle``: it writes every value
    with its exact type (1, 1.0 and True differ; a subclass of ``str``, ``int``
    or ``dict`` is refused) and refuses what it cannot write, Decimal and
    datetime among them, which then take ``pickle``. marshal writes every object
    with the buffer interface (bytes, bytearray, memoryview ...) alike; in a
    tariff such a value is either ignored (an unknown field) or refused by the
    reader, except as the ``id``, which the reader turns into ``str(value)``:
    so a tariff whose ``id`` is neither a string nor missing takes ``pickle``.
    The flag keeps the two kinds of key apart.
    """
    raw_id = tariff.get("id")
    if raw_id is None or type(raw_id) is str:
        try:
            return (True, marshal.dumps(tariff))
        except ValueError:  # a value marshal cannot write, or nesting too deep
            pass
    # pickle writes every value with its type (1, 1.0, True and Decimal("1") differ) and
    # raises for what it cannot write; a fraction of what compiling costs, and no repr in it.
    return (False, pickle.dumps(tariff, pickle.HIGHEST_PROTOCOL))


class TariffCache:
    """Compiled tariffs by content, for callers that pass the same tariff data again and again.

    At most ``size`` tariffs are kept; the oldest entry makes room. Only
    tariffs given as plain JSON data are cached (``dict`` at the top, JSON
    values, ``Decimal`` and ``datetime`` inside); models and other mappings
    are compiled on every call. Lookups need no lock (one dict read); adding
    takes one, so threads can share the cache.
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._entries: dict[tuple[tuple[bool, bytes], str, str], CompiledTariff] = {}
        self._lock = threading.Lock()

    def get(self, tariff: object, version: str, path: str) -> CompiledTariff:
        """The compiled ``tariff`` (from the cache when its content was compiled before)."""
        if type(tariff) is not dict:
            return compile_at(tariff, version, None, path)
        # _key, inline.
        key: tuple[tuple[bool, bytes], str, str] | None = None
        raw_id = tariff.get("id")
        try:
            if raw_id is None or type(raw_id) is str:
                try:  # noqa: SIM105  # contextlib.suppress costs more than the lookup saves
                    key = ((True, marshal.dumps(tariff)), version, path)
                except ValueError:  # a value marshal cannot write, or nesting too deep
                    pass
            if key is None:
                key = ((False, pickle.dumps(tariff, pickle.HIGHEST_PROTOCOL)), version, path)
        except Exception:  # unpicklable content (PicklingError, TypeError, RecursionError ...)
            return compile_at(tariff, version, None, path)
        found = self._entries.get(key)
        if found is not None:
            return found
        compiled = compile_at(tariff, version, None, path)
        with self._lock:
            entries = self._entries
            entries[key] = compiled
            while len(entries) > self.size:
                del entries[next(iter(entries))]
        return compiled

    def clear(self) -> None:
        """Forget every compiled tariff."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
