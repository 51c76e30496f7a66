"""The one exception tree of ocpkit.

Every entry point that parses or validates raises only from this tree, whatever
it is given. Callers that only want to know "did ocpkit refuse this input?"
catch :class:`OcpkitError`; callers that want the reasons catch
:class:`InvalidError` and read :attr:`InvalidError.violations`::

    OcpkitError
     ├── InvalidError            input was read but breaks a rule; .violations lists them all
     │    ├── FrameInvalid       an OCPP-J RPC frame (CALL, CALLRESULT, ...) is malformed
     │    ├── PayloadInvalid     an OCPP payload breaks the schema of its action
     │    ├── ObjectInvalid      an OCPI object breaks its definition
     │    ├── CredentialsInvalid an identity, Basic-auth header, password, key or CSR breaks its rule
     │    ├── OcmfInvalid        an OCMF record or public key cannot be read, or breaks OCMF rules
     │    └── ConversionError    an OCPI object cannot be converted to another version; .missing
     │                           names the conversion-context keys that would supply what is lacking
     ├── UnsupportedError        an unknown protocol version, action or object name (also a LookupError)
     ├── TransitionError         a state machine was asked for a move its table does not allow
     │    └── EndpointError      an OCPP-J endpoint was asked to send what its state forbids (state unchanged)
     ├── PricingError            a tariff cannot be applied to the given session or CDR
     ├── EnergyError             meter values cannot be turned into readings or energy
     ├── BridgeError             an OCPP transaction cannot be turned into an OCPI Session or CDR
     ├── SmartChargingError      a charging profile cannot be read, or a composite schedule not computed
     ├── CaptureError            a capture (log) cannot be read at all
     └── MissingExtraError       an optional dependency is not installed (also an ImportError)
          └── OcmfError          an OCMF signature cannot be checked here (the ``crypto`` extra is missing)

A :class:`Violation` names one broken rule: where (a JSON pointer), which
schema keyword, a message for people, and the OCPP-J error code that a
CALLERROR answering the offending message would carry.

Messages about an unknown name (action, object, enum value, directive
argument) end with the close matches that exist, built by
:func:`did_you_mean`: a match that differs only in case first
(``location`` -> ``Location``), then the closest spellings (:mod:`difflib`,
imported only on that error path).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "BridgeError",
    "CaptureError",
    "ConversionError",
    "CredentialsInvalid",
    "EndpointError",
    "EnergyError",
    "FrameInvalid",
    "InvalidError",
    "MissingExtraError",
    "ObjectInvalid",
    "OcmfError",
    "OcmfInvalid",
    "OcpkitError",
    "PayloadInvalid",
    "PricingError",
    "SmartChargingError",
    "TransitionError",
    "UnsupportedError",
    "Violation",
    "close_matches",
    "did_you_mean",
]


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule in one place of a message.

    ``path`` is a JSON pointer (RFC 6901) into the document that was checked,
    ``""`` for the document itself. ``keyword`` is the JSON Schema keyword (or
    an ocpkit rule name such as ``"json"`` or ``"frame"``) that failed.
    ``code`` is the OCPP-J error code for the protocol version in use; for
    OCPI objects it is empty.
    """

    path: str
    keyword: str
    message: str
    code: str = ""

    def as_dict(self) -> dict[str, str]:
        """Return the violation as a plain dict (the JSON report shape)."""
        return {"path": self.path, "keyword": self.keyword, "code": self.code, "message": self.message}


class OcpkitError(Exception):
    """Root of every exception that ocpkit raises on purpose."""


class InvalidError(OcpkitError, ValueError):
    """Input was decoded far enough to be judged, and it breaks one or more rules.

    :attr:`violations` holds every rule that was found broken, never just the
    first; it is never empty.
    """

    def __init__(self, message: str, violations: Iterable[Violation] = ()) -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        if not self.violations:
            self.violations = (Violation("", "invalid", message),)
        super().__init__(message)

    def __str__(self) -> str:
        head = super().__str__()
        lines = [
            f"  {v.path or '/'}: {v.message} [{v.keyword}{', ' + v.code if v.code else ''}]"
            for v in self.violations[:20]
        ]
        more = len(self.violations) - 20
        if more > 0:
            lines.append(f"  ... and {more} more")
        return "\n".join([head, *lines])


class FrameInvalid(InvalidError):
    """An OCPP-J RPC frame is malformed: not a JSON array of the right shape for its type.

    :attr:`code` is the OCPP-J error code a peer would answer with;
    :attr:`message_id` is the frame's message id when it could be read.
    """

    def __init__(
        self,
        message: str,
        violations: Iterable[Violation] = (),
        *,
        message_id: str | None = None,
    ) -> None:
        super().__init__(message, violations)
        self.message_id = message_id

    @property
    def code(self) -> str:
        """The OCPP-J error code of the first violation."""
        return self.violations[0].code


class PayloadInvalid(InvalidError):
    """An OCPP payload breaks the schema of its action and direction."""

    def __init__(
        self,
        message: str,
        violations: Iterable[Violation] = (),
        *,
        version: str = "",
        action: str = "",
        direction: str = "",
    ) -> None:
        super().__init__(message, violations)
        self.version = version
        self.action = action
        self.direction = direction


class ObjectInvalid(InvalidError):
    """An OCPI object (or envelope) breaks its definition in the given OCPI version."""

    def __init__(
        self,
        message: str,
        violations: Iterable[Violation] = (),
        *,
        version: str = "",
        name: str = "",
    ) -> None:
        super().__init__(message, violations)
        self.version = version
        self.name = name


class CredentialsInvalid(InvalidError):
    """Security material breaks its rule: a charge-point identity, an HTTP Basic ``Authorization``
    header, a Basic-auth password, a 1.6 AuthorizationKey, a CSR or a certificate that cannot be read.

    The violations carry no OCPP-J error code (these rules live outside the RPC framework);
    :attr:`Violation.keyword` names the rule, e.g. ``"identity.length"``.
    """


class OcmfInvalid(InvalidError):
    """An OCMF record or a public key cannot be read, or (strict parsing) breaks rules of the OCMF text.

    Each violation's ``path`` is a JSON pointer into the record whose first step names the
    section (``/payload/RD/0/TM``); its ``keyword`` is the deviation's name.
    """


class ConversionError(InvalidError):
    """An OCPI object cannot be converted from one version to another.

    Each violation names a JSON pointer into the *result* and why no value could
    be put there: a required field the source cannot fill (then :attr:`missing`
    lists the ``context`` keys the caller can supply), or a value the target
    version cannot hold at a place where nothing may be left out.
    """

    def __init__(
        self,
        message: str,
        violations: Iterable[Violation] = (),
        *,
        source: str = "",
        target: str = "",
        name: str = "",
        missing: Iterable[str] = (),
    ) -> None:
        super().__init__(message, violations)
        self.source = source
        self.target = target
        self.name = name
        self.missing: tuple[str, ...] = tuple(dict.fromkeys(missing))


class UnsupportedError(OcpkitError, LookupError):
    """A protocol version, action, object or option that ocpkit does not know."""


class TransitionError(OcpkitError):
    """A state machine refused an event; the machine's state is left unchanged.

    :attr:`subject` names what the machine follows (``"connector 2"``,
    ``"evse 1 connector 2"``, a transaction id) when it is known.
    """

    def __init__(
        self, machine: str, state: object, event: object, reason: str = "", *, subject: str = ""
    ) -> None:
        self.machine = machine
        self.state = state
        self.event = event
        self.reason = reason
        self.subject = subject
        who = f"{machine} ({subject})" if subject and subject != machine else machine
        text = f"{who}: event {event!r} is not allowed in state {state!r}"
        super().__init__(f"{text} ({reason})" if reason else text)


class EndpointError(TransitionError):
    """An OCPP-J endpoint refused a local action its state or the protocol rules forbid.

    Raised by :class:`ocpkit.ocpp.endpoint.Endpoint` for illegal use: a second CALL while one is in
    flight, a result for a CALL never received, a CALL the boot rules forbid, an error code the
    version lacks. The endpoint's state is left unchanged. :attr:`rule` names the broken rule
    (``"synchronicity"``, ``"not-owed"``, ``"boot"`` ...).
    """

    def __init__(self, state: object, event: object, reason: str, *, rule: str) -> None:
        super().__init__("endpoint", state, event, reason)
        self.rule = rule


class PricingError(OcpkitError):
    """A tariff cannot be applied: missing data, mixed currencies, or an unusable tariff."""


class EnergyError(OcpkitError, ValueError):
    """Meter values cannot be normalised: a value that is not a finite number in range, a unit
    that cannot be converted, a missing timestamp, or a payload of the wrong shape."""


class BridgeError(OcpkitError, ValueError):
    """An OCPP transaction cannot become an OCPI Session or CDR: no start, no usable time, no
    token, a location or currency that does not fit, or a result the OCPI model refuses."""


class SmartChargingError(OcpkitError, ValueError):
    """A charging profile that cannot be read at all, a store operation on bad arguments, or a
    composite schedule that cannot be computed (unknown EVSE, unsupported unit, bad window).

    :attr:`rule` names the smart-charging rule behind the error when there is one (the same
    codes as :class:`ocpkit.ocpp.smart_charging.Refusal`), else ``""``; :attr:`reason_code` is
    the OCPP 2.x ``statusInfo.reasonCode`` a station would answer with, else ``""``.
    """

    def __init__(self, message: str, *, rule: str = "", reason_code: str = "") -> None:
        super().__init__(message)
        self.rule = rule
        self.reason_code = reason_code


class CaptureError(OcpkitError):
    """A capture cannot be read at all (as opposed to single lines that fail, which are reported)."""


class MissingExtraError(OcpkitError, ImportError):
    """A part of ocpkit needs an optional dependency that is not installed.

    :attr:`extra` names the pip extra that installs it (``pip install 'ocpkit[docs]'``).
    """

    def __init__(self, feature: str, extra: str, missing: str = "") -> None:
        self.feature = feature
        self.extra = extra
        what = f" ({missing} is not installed)" if missing else ""
        super().__init__(f"{feature} needs the {extra!r} extra{what}: pip install 'ocpkit[{extra}]'")


class OcmfError(MissingExtraError):
    """An OCMF signature cannot be checked in this installation: verification needs the ``crypto``
    extra (``pip install 'ocpkit[crypto]'``); reading records works without it."""


def close_matches(word: object, candidates: Iterable[object], *, limit: int = 3) -> list[str]:
    """The candidates closest to *word*: the same text ignoring case first, then similar spellings."""
    if not isinstance(word, str) or not word:
        return []
    names = [c for c in dict.fromkeys(str(c) for c in candidates) if c]
    folded = word.casefold()
    same_case = [c for c in names if c.casefold() == folded and c != word]
    import difflib

    lowered = {c.casefold(): c for c in names}
    similar = [lowered[m] for m in difflib.get_close_matches(folded, list(lowered), n=limit, cutoff=0.75)]
    return [c for c in dict.fromkeys([*same_case, *similar]) if c != word][:limit]


def did_you_mean(word: object, candidates: Iterable[object]) -> str:
    """``"; did you mean 'X'?"`` (or ``'X' or 'Y'``) for the close matches of *word*, else ``""``."""
    found = close_matches(word, candidates)
    if not found:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in found) + "?"
