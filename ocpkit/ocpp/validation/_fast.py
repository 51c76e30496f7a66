"""The fast lane of OCPP validation: verdict-only validators compiled from the same schemas.

Theory of operation. Each (version, action, direction) schema is compiled once,
on first use, into a :class:`Compiled` pair: the exact checker
(:mod:`ocpkit.ocpp.validation._exact`), which lists every broken rule, and, when
``jsonschema-rs`` is installed, a *quick* verdict that only says "valid for sure"
or "ask the exact checker". The quick verdict never accepts what the exact
checker refuses: ``multipleOf`` is split off the schema and judged exactly on a
projection holding only it; the ``uri`` format is the exact checker's own test;
``date-time`` is narrowed by a pattern refusing leap seconds and year 0000; and
it is used only on payloads decoded from text by ocpkit's rules, never on Python
objects a caller built (tuples, NaN, non-string keys). :class:`Lane` holds the
per-version tables that :func:`ocpkit.ocpp.validation.check_frame` looks up per
message, each filled on first lookup, among them the whole-message decoders of
the struct lane (:mod:`ocpkit.ocpp.validation._structs`) by action name and by
the name's bytes, each built on its first use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from importlib.util import find_spec
from typing import Any, Final

from ocpkit.errors import UnsupportedError
from ocpkit.ocpp import _json
from ocpkit.ocpp.rpc import ERROR_CODES, RULE_CODES
from ocpkit.ocpp.validation import _structs
from ocpkit.ocpp.validation._exact import DRAFT4, Check, Finding, compile_schema, draft_of, is_uri, split

__all__ = ["HAVE_FAST_ENGINE", "LANES", "Compiled", "Lane", "Verdict", "compiled_schema", "judge"]

_LATER: Any = object()
# The optional verdict accelerator, imported when a first schema is compiled for it (a first verdict
# the struct lane gives alone does not pay for it). None: not installed (or switched off).
_rs: Any = _LATER if find_spec("jsonschema_rs") is not None else None

HAVE_FAST_ENGINE: Final = _rs is not None
"""True when ``jsonschema-rs`` is installed and used for verdicts."""


def _engine() -> Any:
    """The jsonschema_rs module (imported on first use), or None."""
    global _rs
    if _rs is _LATER:
        import jsonschema_rs

        _rs = jsonschema_rs
    return _rs


# The fast validator's own date-time format accepts a leap second ("23:59:60") and year 0000,
# which the exact checker refuses; this pattern, checked with it, refuses both (and anything else
# outside the exact checker's RFC 3339 syntax), so the conjunction never accepts more than the
# exact checker. Both are judged on the decoded string, so escapes cannot hide either marker.
_DATE_TIME_GUARD: Final = (
    "^(?:[0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})-(?:0[1-9]|1[0-2])-[0-9]{2}"
    "[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:[.][0-9]+)?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$"
)


def _fast_schema(node: Any) -> Any:
    """The schema for the fast validator: every date-time also carries :data:`_DATE_TIME_GUARD`."""
    if isinstance(node, dict):
        out = {k: _fast_schema(v) for k, v in node.items()}
        if out.get("format") == "date-time":
            # No OCPP schema has a pattern of its own (the exact checker would refuse to compile it).
            out["pattern"] = _DATE_TIME_GUARD
        return out
    if isinstance(node, list):
        return [_fast_schema(v) for v in node]
    return node


class Compiled:
    """The compiled forms of one schema: the exact checker and, when available, the fast verdict."""

    __slots__ = ("check", "quick")

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.check: Check = compile_schema(schema)
        # quick(payload): True when the payload is valid for sure (only for payloads decoded from
        # text by ocpkit's rules); False means "ask the exact checker", and so does an exception.
        self.quick: Callable[[Any], bool] | None = None
        rs = _engine()
        if rs is None:
            return
        # jsonschema-rs judges all but multipleOf (it divides floats): the exact checker judges that
        # on a projection of the schema. Its uri format is laxer than RFC 3986, so the exact
        # checker's test is plugged in; its date-time is narrowed by a pattern (see _fast_schema).
        rest, picked = split(schema)
        cls = rs.Draft4Validator if draft_of(schema) == DRAFT4 else rs.Draft6Validator
        fast = cls(_fast_schema(rest), validate_formats=True, formats={"uri": is_uri}).is_valid
        if picked is None:
            self.quick = fast
            return
        post = compile_schema(picked, subset=True)

        def quick(data: Any) -> bool:
            if not fast(data):
                return False
            out: list[Finding] = []
            post(data, (), out)
            return not out

        self.quick = quick

    def findings(self, data: Any) -> list[Finding]:
        out: list[Finding] = []
        self.check(data, (), out)
        return out


_COMPILED: dict[tuple[str, str, str], Compiled] = {}
_STRUCTS: dict[tuple[str, str, str], _structs.Decode | None] = {}


def compiled_schema(version: str, action: str, direction: str) -> Compiled:
    """The compiled forms of one schema, built on first use."""
    key = (version, action, direction)
    done = _COMPILED.get(key)
    if done is None:
        from ocpkit.schemas import ocpp_schema

        done = Compiled(ocpp_schema(version, action, direction))
        _COMPILED[key] = done
    return done


def judge(compiled: Compiled, data: Any, decoded: bool) -> list[Finding]:
    """Findings for a payload; *decoded*: it came from ocpkit's decoder, not from the caller."""
    # Objects a caller built may hold what no text decodes to (tuples, NaN, non-string keys), which
    # the fast validator would accept: they always go to the exact checker.
    if decoded and compiled.quick is not None:
        try:
            if compiled.quick(data):
                return []
        except Exception:  # any refusal of the accelerator falls back to the exact checker
            pass
    return compiled.findings(data)


Verdict = Callable[[Any], bool]


class _Table(dict[str, Verdict | None]):
    """Action -> quick verdict (None: not for the fast lane), filled on first lookup."""

    __slots__ = ("fill",)

    def __init__(self, fill: Callable[[str], Verdict | None]) -> None:
        super().__init__()
        self.fill = fill

    def __missing__(self, action: str) -> Verdict | None:
        found = self[action] = self.fill(action)
        return found


class _Decoders(dict[Any, "_structs.Decode | None"]):
    """Action name (str, or its UTF-8 bytes) -> whole-frame decoder of the struct lane.

    Holds every action of the version from the start, each as a placeholder that
    builds the decoder on its first call and takes its place; ``.get`` of an
    unknown name is None, and nothing is added for it.
    """

    __slots__ = ()


class _Pending:
    """A decoder not built yet: builds it on first call, puts it in the tables, decodes."""

    __slots__ = ("build", "keys", "tables")

    def __init__(
        self,
        build: Callable[[], _structs.Decode | None],
        tables: tuple[_Decoders, ...],
        keys: tuple[Any, ...],
    ) -> None:
        self.build = build
        self.tables = tables
        self.keys = keys

    def __call__(self, raw: Any) -> Any:
        decode = self.build()
        for table in self.tables:
            for key in self.keys:
                if decode is None:
                    table.pop(key, None)
                else:
                    table[key] = decode
        if decode is None:
            raise UnsupportedError("no struct lane for this action")  # the other lanes decide
        return decode(raw)


class Lane:
    """Per-version lookup tables of the fast lane, filled on demand."""

    __slots__ = (
        "calls",
        "error_codes",
        "error_types",
        "errors",
        "loads",
        "results",
        "senders",
        "sends",
        "struct_calls",
        "struct_heads",
        "struct_results",
        "structs",
        "version",
    )

    def __init__(self, version: str) -> None:
        self.version = version
        # orjson.loads when the fast lane is on (orjson and jsonschema-rs both installed), else None
        self.loads = _json.fast_loads() if _rs is not None else None
        # action -> quick verdict of its request schema, or None when a CALL (SEND) of it is not
        # well-formed: unknown action, or sent the other way (CALL vs SEND)
        self.calls = _Table(lambda action: self._request(action, 2))
        self.sends = _Table(lambda action: self._request(action, 6))
        self.results = _Table(self._result)
        self.senders: dict[str, str] = {}  # action -> the party that sends it
        self.error_codes = ERROR_CODES[version]
        self.error_types = (4, 5) if version == "2.1" else (4,)
        # The struct lane (msgspec), see _structs: whole-frame decoders that succeed only on
        # messages valid for sure. struct_calls: action name (str and bytes) -> decoder of a CALL
        # (or SEND) of it; struct_results: action -> decoder of a CALLRESULT answering it;
        # errors: decoder of a CALLERROR (CALLRESULTERROR) with one of the version's codes.
        self.structs = _structs.enabled()
        self.struct_calls = _Decoders()
        # struct_heads: the fourth quoted text of a message (a CALL's action, a CALLERROR's code),
        # as bytes -> the decoder of that message
        self.struct_heads = _Decoders()
        self.struct_results = _Decoders()
        self.errors: _structs.Decode | None = None
        if self.structs:
            self._fill()

    def _fill(self) -> None:
        from ocpkit.ocpp._senders import SENDERS

        version = self.version
        for action in SENDERS[version]:
            keys = (action, action.encode())
            pending = _Pending(
                partial(self._struct, action, "request"), (self.struct_calls, self.struct_heads), keys
            )
            for key in keys:
                self.struct_calls[key] = pending
            self.struct_heads[keys[1]] = pending
            self.struct_results[action] = _Pending(
                partial(self._struct, action, "response"), (self.struct_results,), (action,)
            )
        codes = tuple(code.encode() for code in self.error_codes)
        self.errors = _Pending(self._errors, (self.struct_heads,), codes)
        for code in codes:
            self.struct_heads[code] = self.errors

    def _errors(self) -> _structs.Decode | None:
        decode = _structs.error_decoder(self.error_codes, self.error_types)
        self.errors = decode
        return decode

    def _struct(self, action: str, direction: str) -> _structs.Decode | None:
        key = (self.version, action, direction)
        if key not in _STRUCTS:
            from ocpkit.schemas import ocpp_schema

            version = self.version
            # A CALL of an action that has a response, a SEND of one that has none (2.1)
            tag = 3 if direction == "response" else 2 if _sender(version, action, 2) else 6
            if tag == 6 and _sender(version, action, 6) is None:
                _STRUCTS[key] = None
                return None
            try:
                schema = ocpp_schema(version, action, direction)
            except UnsupportedError:
                _STRUCTS[key] = None
            else:
                if tag == 3:
                    _STRUCTS[key] = _structs.result_decoder(schema, action)
                else:
                    _STRUCTS[key] = _structs.call_decoder(schema, action, tag)
        return _STRUCTS[key]

    def _request(self, action: str, type_id: int) -> Verdict | None:
        sender = _sender(self.version, action, type_id)
        if sender is None:
            return None
        self.senders[action] = sender
        return compiled_schema(self.version, action, "request").quick

    def _result(self, action: str) -> Verdict | None:
        try:
            return compiled_schema(self.version, action, "response").quick
        except UnsupportedError:
            return None


def _sender(version: str, action: str, type_id: int) -> str | None:
    """Who sends *action*, when a frame of *type_id* (2 CALL, 6 SEND) may carry it; else None.

    Read from the plain-data tables (senders, the schema files), not the registry, which
    imports every message model of the version.
    """
    from ocpkit.ocpp._senders import SENDERS
    from ocpkit.schemas import ocpp_schema

    sender = SENDERS[version].get(action) if type(action) is str else None
    if sender is None or (type_id == 6 and version != "2.1"):
        return None
    try:
        ocpp_schema(version, action, "response")
    except UnsupportedError:
        answered = False  # SEND-only (2.1 NotifyPeriodicEventStream)
    else:
        answered = True
    return sender if answered == (type_id == 2) else None


class _Lanes(dict[str, Lane]):
    def __missing__(self, version: str) -> Lane:
        if version not in RULE_CODES["frame"]:
            raise UnsupportedError(f"unknown OCPP version {version!r}; expected one of 1.6, 2.0.1, 2.1")
        lane = self[version] = Lane(version)
        return lane


LANES = _Lanes()
"""Version -> its :class:`Lane`, made on first lookup (UnsupportedError for an unknown version)."""
