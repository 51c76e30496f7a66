"""Seeded corpus of OCPP-J messages: valid traffic and mutations of every kind.

``generate(shared, version, n, seed)`` yields ``(raw, action, kind)``: ``raw``
is the message text (bytes), ``action`` the action a CALLRESULT answers (None
for other types and for unpaired results), ``kind`` the mutation applied
("valid" for none). Payloads are drawn from the *official* schemas, so the
corpus does not depend on ocpkit's own copies. The generator is deterministic
for a seed. Run ``python -m tests.ocpp.corpus`` for the full differential run.
"""

from __future__ import annotations

import json
import random
import string
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.ocpp import oracle

ALPHABETS = [
    string.ascii_letters + string.digits,
    string.ascii_letters + string.digits + " -_.:/",
    "aé€😀\u00a0ß中",
]

MUTATIONS = [
    "wrong_type",
    "missing_required",
    "bad_enum",
    "too_long",
    "extra_property",
    "null_optional",
    "date_time",
    "empty_array",
    "multiple_of",
    "big_int",
    "float_integer",
    "range",
    "nan",
    "duplicate_key",
    "truncated",
    "bad_type_id",
    "bad_message_id",
    "extra_element",
    "unknown_action",
    "unpaired_result",
    "bad_error_frame",
    "raw_bytes",
]

PAYLOAD_MUTATIONS = frozenset(MUTATIONS[:14])

DATE_TIME_VALID = [
    "2024-05-01T10:00:00Z",
    "2024-05-01T10:00:00.123Z",
    "2024-05-01T10:00:00.123456789Z",
    "2024-05-01T10:00:00+02:00",
    "2024-05-01T10:00:00-05:30",
    "2024-02-29T23:59:59.5+00:00",
    "2024-05-01t10:00:00z",
    "1999-12-31T23:59:59Z",
]
DATE_TIME_INVALID = [
    "2024-05-01T10:00:00",
    "2024-05-01T10:00:00+0200",
    "2024-05-01 10:00:00Z",
    "2024-13-01T10:00:00Z",
    "2023-02-29T10:00:00Z",
    "2016-12-31T23:59:60Z",
    "2024-05-01T10:00:00Z\n",
    "0000-01-01T00:00:00Z",
    "1714557600",
    "2024-05-01T24:00:00Z",
    "2024-05-01T10:00:00.Z",
    "2024-05-01T10:00:00+24:00",
    "",
]
URI_VALID = [
    "http://example.com/fw.bin",
    "ftp://user@host:21/dir/x?y=1#z",
    "https://[::1]/a",
    "urn:x:y",
    "a:",
]
URI_INVALID = ["not a uri", "/relative/path", "http://exa mple.com", "http://x/%zz", "1http://x", "", "é:x"]


class Gen:
    """Draws instances of one official schema, recording the sites mutations may target."""

    def __init__(self, rnd: random.Random, root: dict[str, Any]) -> None:
        self.rnd = rnd
        self.root = root
        self.sites: list[tuple[tuple[Any, ...], dict[str, Any], str]] = []

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = self.root["definitions"][node["$ref"].split("/")[-1]]
        return node

    def draw(self, node: dict[str, Any], path: tuple[Any, ...], depth: int = 0) -> Any:
        rnd = self.rnd
        node = self.resolve(node)
        self.sites.append((path, node, "value"))
        if "enum" in node:
            return rnd.choice(node["enum"])
        t = node.get("type")
        if t == "object" or "properties" in node:
            out: dict[str, Any] = {}
            required = set(node.get("required", ()))
            for name, sub in node.get("properties", {}).items():
                if name in required or (depth < 4 and rnd.random() < 0.5):
                    out[name] = self.draw(sub, (*path, name), depth + 1)
                else:
                    self.sites.append(((*path, name), self.resolve(sub), "absent"))
            if node.get("additionalProperties", True) is not False and rnd.random() < 0.2:
                out["x-extra"] = rnd.choice([1, "v", {"a": [1, 2]}, None, 2.5])
            return out
        if t == "array":
            lo = node.get("minItems", 0)
            hi = min(node.get("maxItems", lo + 2), lo + 2)
            if depth >= 5:
                hi = lo
            return [
                self.draw(node.get("items", {}), (*path, i), depth + 1)
                for i in range(rnd.randint(lo, max(lo, hi)))
            ]
        if t == "string":
            fmt = node.get("format")
            if fmt == "date-time":
                return rnd.choice(DATE_TIME_VALID)
            if fmt == "uri":
                return rnd.choice(URI_VALID)
            hi = node.get("maxLength", 30)
            n = rnd.choice([0, 1, min(hi, 5), min(hi, 12), hi]) if hi else 0
            alphabet = rnd.choice(ALPHABETS)
            return "".join(rnd.choice(alphabet) for _ in range(min(n, 300)))
        if t == "integer":
            lo = node.get("minimum", -1000)
            hi = node.get("maximum", 100000)
            return rnd.randint(int(lo), int(hi))
        if t == "number":
            lo = node.get("minimum", -1000)
            hi = node.get("maximum", 100000)
            if "multipleOf" in node:
                return rnd.randint(int(lo * 10), int(hi * 10)) / 10
            return rnd.choice([round(rnd.uniform(lo, hi), rnd.randint(0, 3)), int(rnd.uniform(lo, hi))])
        if t == "boolean":
            return rnd.random() < 0.5
        # untyped (2.x DataTransfer.data): any JSON
        return rnd.choice(["text", 1, 2.5, {"k": [1, "a", None]}, [True, False], None])


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    for p in path[:-1]:
        doc = doc[p]
    doc[path[-1]] = value


def _del(doc: Any, path: tuple[Any, ...]) -> None:
    for p in path[:-1]:
        doc = doc[p]
    del doc[path[-1]]


def _wrong_type(node: dict[str, Any], rnd: random.Random) -> Any:
    t = node.get("type", "string" if "enum" in node else None)
    options: list[Any] = [True, None, "12", 12, 1.5, [], {}]
    if t == "string":
        options = [12, True, None, [], {}, 1.5]
    elif t in ("integer", "number"):
        options = ["12", True, None, [], {}, "1e3"]
    elif t == "boolean":
        options = ["true", 1, 0, None]
    elif t == "object":
        options = ["{}", [], 1, None]
    elif t == "array":
        options = [{}, "[]", 1, None]
    return rnd.choice(options)


def _mutate_payload(
    kind: str, payload: dict[str, Any], gen: Gen, rnd: random.Random, version: str
) -> str | None:
    """Apply *kind* to *payload* in place; return raw-text tweak names or None; '' when not applicable."""
    sites = gen.sites
    present = [(p, n) for p, n, state in sites if state == "value" and p]
    absent = [(p, n) for p, n, state in sites if state == "absent"]
    if kind == "wrong_type" and present:
        p, n = rnd.choice(present)
        _set(payload, p, _wrong_type(n, rnd))
        return None
    if kind == "missing_required":
        req = [(p, n) for p, n in present if isinstance(p[-1], str)]
        if req:
            p, _ = rnd.choice(req)
            _del(payload, p)
            return None
    if kind == "bad_enum":
        enums = [(p, n) for p, n in present if "enum" in n]
        if enums:
            p, n = rnd.choice(enums)
            _set(payload, p, rnd.choice(["Unknown-Value", n["enum"][0].lower(), n["enum"][0] + " ", ""]))
            return None
    if kind == "too_long":
        strs = [(p, n) for p, n in present if "maxLength" in n]
        if strs:
            p, n = rnd.choice(strs)
            k = n["maxLength"] + rnd.choice([0, 1, 1, 5])
            _set(payload, p, rnd.choice(["x", "é", "😀"]) * k)
            return None
    if kind == "extra_property":
        objs = [
            (p, n) for p, n in [((), gen.root), *present] if n.get("type") == "object" or "properties" in n
        ]
        p, n = rnd.choice(objs)
        target = payload
        for q in p:
            target = target[q]
        if isinstance(target, dict):
            target[rnd.choice(["extra", "Vendor", "customdata", "x"])] = rnd.choice([1, "a", None])
            return None
    if kind == "null_optional" and absent:
        p, _ = rnd.choice(absent)
        try:
            _set(payload, p, None)
            return None
        except (KeyError, IndexError, TypeError):
            return ""
    if kind == "date_time":
        dts = [(p, n) for p, n in present + absent if n.get("format") == "date-time"]
        if dts:
            p, _ = rnd.choice(dts)
            try:
                _set(payload, p, rnd.choice(DATE_TIME_INVALID + DATE_TIME_VALID))
            except (KeyError, IndexError, TypeError):
                return ""
            return None
        uris = [(p, n) for p, n in present + absent if n.get("format") == "uri"]
        if uris:
            p, _ = rnd.choice(uris)
            try:
                _set(payload, p, rnd.choice(URI_INVALID + URI_VALID))
            except (KeyError, IndexError, TypeError):
                return ""
            return None
    if kind == "empty_array":
        arrs = [(p, n) for p, n in present if n.get("type") == "array"]
        if arrs:
            p, _ = rnd.choice(arrs)
            _set(payload, p, [])
            return None
    if kind == "multiple_of":
        nums = [(p, n) for p, n in present if n.get("type") == "number"]
        if nums:
            p, _ = rnd.choice(nums)
            _set(payload, p, rnd.choice([0.25, 22.2, 8.1, 0.3, 1e-7, 1.05, 7.0, 16, 1e300, 0.1 + 0.2]))
            return None
    if kind == "big_int":
        ints = [(p, n) for p, n in present if n.get("type") in ("integer", "number")]
        if ints:
            p, _ = rnd.choice(ints)
            _set(payload, p, rnd.choice([2**64, 2**64 - 1, -(2**63) - 1, 10**30, -(10**30), 2**53 + 1]))
            return None
    if kind == "float_integer":
        ints = [(p, n) for p, n in present if n.get("type") == "integer"]
        if ints:
            p, _ = rnd.choice(ints)
            _set(payload, p, rnd.choice([1.0, 0.0, 2.5, 1e2, -3.0]))
            return None
    if kind == "range":
        nums = [(p, n) for p, n in present if "minimum" in n or "maximum" in n]
        if nums:
            p, n = rnd.choice(nums)
            choices = [n["minimum"] - 1, n["minimum"], -0.0, -1e-9] if "minimum" in n else []
            if "maximum" in n:
                choices += [n["maximum"], n["maximum"] + 1, n["maximum"] + 0.5]
            _set(payload, p, rnd.choice(choices))
            return None
        return ""
    if kind == "nan":
        nums = [(p, n) for p, n in present if n.get("type") in ("integer", "number")]
        if nums:
            p, _ = rnd.choice(nums)
            _set(payload, p, "__NAN__")
            return rnd.choice(["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1e-400"])
    if kind == "duplicate_key" and payload:
        return "duplicate"
    return ""


def _dumps(value: Any, rnd: random.Random) -> str:
    style = rnd.random()
    if style < 0.8:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if style < 0.9:
        return json.dumps(value, ensure_ascii=True)
    return json.dumps(value, indent=1, ensure_ascii=False)


def generate(
    shared: Path, version: str, n: int, seed: int = 0, mutation_rate: float = 0.5
) -> Iterator[tuple[bytes, str | None, str]]:
    """Yield *n* messages ``(raw, action_for_result, kind)`` for *version*, deterministic for *seed*.

    About *mutation_rate* of the messages get a mutation drawn from :data:`MUTATIONS`
    (some do not apply to the drawn payload and stay valid).
    """
    rnd = random.Random(f"{version}:{seed}")
    known = oracle.official_actions(shared, version)
    names = sorted(known)
    codes = sorted(oracle._codes(version))
    counter = 0
    while counter < n:
        action = rnd.choice(names)
        has_response = known[action]
        kind = rnd.choice(MUTATIONS) if rnd.random() < mutation_rate else "valid"
        # Half the traffic is results (paired with the CALL's action), some errors.
        shape = rnd.random()
        counter += 1
        mid = "".join(rnd.choice(string.hexdigits) for _ in range(rnd.choice([1, 8, 36])))
        if shape < 0.08:
            err_type = 5 if version == "2.1" and rnd.random() < 0.3 else 4
            code = rnd.choice(codes)
            frame: list[Any] = [err_type, mid, code, rnd.choice(["", "boom"]), rnd.choice([{}, {"a": 1}])]
            if kind == "bad_error_frame":
                frame[rnd.randint(2, 4)] = rnd.choice(
                    [None, 1, "OccurrenceConstraintViolation", "FormatViolation", []]
                )
            yield _dumps(frame, rnd).encode(), None, kind
            continue
        as_result = has_response and shape < 0.5
        direction = "response" if as_result else "request"
        schema = oracle.load_schema(shared, version, action, direction)
        gen = Gen(rnd, schema)
        payload = gen.draw(schema, ())
        payload_kind = kind in PAYLOAD_MUTATIONS
        tweak = _mutate_payload(kind, payload, gen, rnd, version) if payload_kind else None
        if tweak == "":
            kind = "valid"
            tweak = None
        if as_result:
            frame = [3, mid, payload]
            result_action: str | None = action
        else:
            frame = [2 if has_response else 6, mid, action, payload]
            result_action = None
        if kind == "bad_type_id":
            frame[0] = rnd.choice([0, 1, 7, 5, 6, "2", 2.0, None, True, 3 if frame[0] == 2 else 2])
        elif kind == "bad_message_id":
            frame[1] = rnd.choice([1, None, "x" * 36, "x" * 37, "é" * 36, "é" * 37, ""])
        elif kind == "extra_element":
            frame.append(rnd.choice([{}, None, 1]))
        elif kind == "unknown_action" and not as_result:
            frame[2] = rnd.choice(["Foo", action.lower(), action + "Request", "", "BootNotification "])
        elif kind == "unpaired_result" and as_result:
            result_action = None
        text = _dumps(frame, rnd)
        if tweak in ("NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1e-400"):
            text = text.replace('"__NAN__"', tweak)
        elif tweak == "duplicate":
            pos = text.find("{", 4)
            if pos > 0:
                dup = rnd.choice(['"dup":1,"dup":2,', '"a":1,"a":"x",'])
                first_key = text[pos + 1 :].split(":", 1)[0]
                text = (
                    text[: pos + 1]
                    + (first_key + ":null," if first_key.startswith('"') and rnd.random() < 0.5 else dup)
                    + text[pos + 1 :]
                )
        raw = text.encode()
        if kind == "truncated":
            raw = raw[: rnd.randint(0, max(0, len(raw) - 1))]
        elif kind == "raw_bytes":
            raw = rnd.choice(
                [
                    b"\xef\xbb\xbf" + raw,
                    raw.replace(b'"', b'"\xff', 1),
                    raw.replace(b'"', b'"\\ud800', 1),
                    raw + b" ",
                    b"  " + raw,
                    b"[" * 600 + b"]" * 600,
                    raw.replace(b"[", b"{", 1),
                    b"",
                    b"null",
                    b"{}",
                ]
            )
        yield raw, result_action, kind


def main(argv: list[str]) -> int:
    """Full differential run: print the number of disagreements with the oracle per version."""
    from ocpkit.ocpp.validation import check_frame, check_frames
    from tests.conftest import shared_dir

    n = int(argv[0]) if argv else 100_000
    shared = shared_dir()
    if shared is None:
        print("reference material not found: set OCPKIT_SHARED", file=sys.stderr)
        return 2
    from tests.ocpp.validation.test_fast_lane import exact_verdict, lane_verdicts

    total = 0
    for version in ("1.6", "2.0.1", "2.1"):
        bad = refused = lax = bulk_bad = 0
        kinds: dict[str, int] = {}
        corpus = list(generate(shared, version, n, seed=1))
        # The bulk path judges the same frames in one run: its verdicts must be check_frame's.
        bulk = check_frames([raw for raw, _, _ in corpus], version, actions=[a for _, a, _ in corpus])
        for (raw, action, kind), report in zip(corpus, bulk, strict=True):
            kinds[kind] = kinds.get(kind, 0) + 1
            ours = check_frame(raw, version, action=action)
            if (report.ok, report.unpaired, report.violations) != (ours.ok, ours.unpaired, ours.violations):
                bulk_bad += 1
                if bulk_bad <= 5:
                    print(f"  check_frames differs ({kind}): {raw[:300]!r} action={action}")
            refused += not ours.ok
            # Each fast lane alone never accepts what the exact checker alone refuses.
            said = lane_verdicts(raw, version, action)
            if any(said.values()) and not exact_verdict(raw, version, action):
                lax += 1
                if lax <= 5:
                    print(f"  fast lane too lax ({kind}, {said}): {raw[:300]!r} action={action}")
            if (ours.ok, ours.unpaired) != oracle.frame_verdict(shared, raw, version, action):
                bad += 1
                if bad <= 5:
                    print(
                        f"  disagreement ({kind}): {raw[:300]!r} action={action} ocpkit={ours.violations[:3]}"
                    )
        invalid = sum(v for k, v in kinds.items() if k != "valid")
        print(
            f"OCPP {version}: {n} frames ({invalid} mutated, {refused} invalid), disagreements: {bad},"
            f" fast lane alone accepting what the exact checker refuses: {lax},"
            f" check_frames differing from check_frame: {bulk_bad}"
        )
        total += bad + lax + bulk_bad
    print(f"total disagreements: {total}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
