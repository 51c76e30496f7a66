"""Extractors for shapes with one record per line: trace JSONL and CSV.

Theory of operation: here the host's structure, not a frame search, says
where the frame is. A trace record carries the frame verbatim (``raw``) or
in parts (``messageType``, ``messageId`` ...), with direction, charge point,
timestamp and protocol version as fields; a JSON log record that is not a
trace record is searched for frames in its text fields. A CSV record is
joined over lines while a quoted field is open (bounded like a frame), split
with the stdlib ``csv`` module, and its columns are found by header name.
"""

from __future__ import annotations

import csv
import json
import re
from collections import deque
from collections.abc import Iterator
from typing import Any

from tests.cli.legacy_pipeline.capture._extract import Context, Extractor, LineExtractor, decode, snippet
from tests.cli.legacy_pipeline.capture._text import FRAME_START, normalise_version, parse_datetime_text
from tests.cli.legacy_pipeline.capture._types import Direction, Draft, Timestamp

__all__ = ["CsvExtractor", "TraceExtractor"]

_TRACE_DIRECTIONS = {
    "cp-to-csms": Direction.CP_TO_CSMS,
    "cs-to-csms": Direction.CP_TO_CSMS,
    "cp->csms": Direction.CP_TO_CSMS,
    "station-to-csms": Direction.CP_TO_CSMS,
    "csms-to-cp": Direction.CSMS_TO_CP,
    "csms-to-cs": Direction.CSMS_TO_CP,
    "csms->cp": Direction.CSMS_TO_CP,
    "csms-to-station": Direction.CSMS_TO_CP,
}
_TRACE_TYPES = {"CALL": 2, "CALLRESULT": 3, "CALLERROR": 4, "CALLRESULTERROR": 5, "SEND": 6}


class TraceExtractor(Extractor):
    """One JSON trace record per line, the frame in ``raw`` (or rebuilt from its parts)."""

    def __init__(self, ctx: Context) -> None:
        """Lines that are not records are searched like a generic log."""
        super().__init__(ctx)
        self._lines = LineExtractor(ctx)

    def feed(self, lineno: int, text: str) -> Iterator[Draft]:
        """Yield the frame of one record line."""
        body = text.strip()
        if not body.startswith("{"):
            yield from self._lines.feed(lineno, text)
            return
        record, error = decode(body)
        if error is not None or not isinstance(record, dict):
            yield Draft(lineno, snippet(body), error=f"trace record is not a JSON object: {error}")
            return
        cp = record.get("chargePointId", record.get("chargeBoxId", record.get("stationId")))
        cp = cp if isinstance(cp, str) and cp else None
        version = record.get("ocppVersion")
        hint = normalise_version(version) if isinstance(version, str) else None
        if hint is not None:
            self.ctx.hint(lineno, "ocpp_version", hint, cp)
        raw = record.get("raw")
        if isinstance(raw, str):
            value, error = decode(raw)
            if error is None and not isinstance(value, list):
                error = "the record's raw field is not an OCPP-J frame"
            d = Draft(lineno, raw if error is None else snippet(raw), value, error=error)
        elif isinstance(record.get("messageType"), str) and "messageId" in record:
            value = self._rebuild(record)
            if value is None:
                d = Draft(lineno, snippet(body), error="trace record without a usable frame")
            else:
                d = Draft(lineno, json.dumps(value, ensure_ascii=False, separators=(",", ":")), value)
        else:
            yield from self._embedded(lineno, record, cp)
            return
        stamp = record.get("timestamp")
        if isinstance(stamp, str):
            found = parse_datetime_text(stamp)
            value_dt = found[1] if found else None
            d.timestamp = Timestamp(stamp, value_dt, value_dt is not None and value_dt.tzinfo is None)
        d.charge_point = cp
        direction = record.get("direction")
        if isinstance(direction, str):
            d.field_direction = _TRACE_DIRECTIONS.get(direction.lower())
        d.version_hint = hint
        yield d

    def _embedded(self, lineno: int, record: dict[str, Any], cp: str | None) -> Iterator[Draft]:
        """Frames inside the text fields of a structured (JSON) log record."""
        stamp = next(
            (record[k] for k in ("timestamp", "time", "ts", "@timestamp") if isinstance(record.get(k), str)),
            None,
        )
        for value in record.values():
            if isinstance(value, str) and FRAME_START.search(value):
                for d in self._lines._scan(lineno, value, 0):
                    if d.timestamp is None and stamp is not None:
                        found = parse_datetime_text(stamp)
                        dt = found[1] if found else None
                        d.timestamp = Timestamp(stamp, dt, dt is not None and dt.tzinfo is None)
                    d.charge_point = d.charge_point or cp
                    yield d
                # A frame left open inside one field cannot continue on the next line.
                yield from self._lines.finish()

    @staticmethod
    def _rebuild(record: dict[str, Any]) -> list[Any] | None:
        type_id = _TRACE_TYPES.get(record["messageType"].upper())
        if type_id is None:
            return None
        head: list[Any] = [type_id, record["messageId"]]
        if type_id in (2, 6):
            return [*head, record.get("action"), record.get("payload")]
        if type_id == 3:
            return [*head, record.get("payload")]
        return [*head, record.get("errorCode"), record.get("errorDescription"), record.get("errorDetails")]

    def finish(self) -> Iterator[Draft]:
        """Report what the embedded line reader still holds."""
        return self._lines.finish()


_CSV_FIELD = re.compile(r'[ \t]*(?:"((?:[^"]|"")*)"|([^,]*))[ \t]*(,|\Z)', re.DOTALL)
_TS_COLUMNS = ("timestamp", "time", "ts", "datetime", "date", "created_at")
_CP_COLUMNS = ("charge_point_id", "chargepointid", "charge_point", "cp_id", "chargeboxid", "station_id", "id")
_MSG_COLUMNS = ("msg", "message", "frame", "raw", "payload", "data")


def _csv_fields(record: str) -> list[str]:
    fields: list[str] = []
    pos = 0
    while pos <= len(record):
        m = _CSV_FIELD.match(record, pos)
        if m is None:  # pragma: no cover - the pattern matches any text
            break
        quoted, plain = m.group(1), m.group(2)
        fields.append(quoted.replace('""', '"') if quoted is not None else plain.strip())
        if m.group(3) != ",":
            break
        pos = m.end()
    return fields


class CsvExtractor(Extractor):
    """CSV with a header; the frame column may hold quoted multi-line text."""

    def __init__(self, ctx: Context) -> None:
        """Wait for the header record."""
        super().__init__(ctx)
        self._columns: _Columns | None = None
        self._lines: list[tuple[int, str]] = []
        self._size = 0
        self._quotes = 0

    def feed(self, lineno: int, text: str) -> Iterator[Draft]:
        """Yield the frame of each record completed by this line."""
        queue: deque[tuple[int, str]] = deque([(lineno, text)])
        while queue:
            yield from self._line(*queue.popleft(), queue)

    def _line(self, lineno: int, text: str, queue: deque[tuple[int, str]]) -> Iterator[Draft]:
        if not self._lines and not text.strip():
            return
        self._lines.append((lineno, text))
        self._size += len(text)
        self._quotes += text.count('"')
        if self._quotes % 2:
            limits = self.ctx.settings
            if len(self._lines) < limits.max_frame_lines and self._size <= limits.max_frame_size:
                return
            yield from self._give_up(f"CSV quote not closed within {len(self._lines)} lines", queue)
            return
        start = self._lines[0][0]
        record = "\n".join(t for _, t in self._lines)
        self._reset()
        yield from self._record(start, lineno, record)

    def _give_up(self, why: str, queue: deque[tuple[int, str]]) -> Iterator[Draft]:
        # Report the line that opened the quote; read the lines it took in again on their own.
        (start, first), rest = self._lines[0], self._lines[1:]
        self._reset()
        yield Draft(start, snippet(first), error=why)
        queue.extendleft(reversed(rest))

    def _reset(self) -> None:
        self._lines, self._size, self._quotes = [], 0, 0

    def finish(self) -> Iterator[Draft]:
        """Report a record whose quote never closed, then read the lines after it again."""
        while self._lines:
            queue: deque[tuple[int, str]] = deque()
            yield from self._give_up("truncated CSV record: quote not closed at end of input", queue)
            while queue:
                yield from self._line(*queue.popleft(), queue)

    def _record(self, start: int, end: int, record: str) -> Iterator[Draft]:
        if record.startswith("\ufeff"):
            record = record[1:]
        try:
            fields = next(csv.reader((record,)))
        except (csv.Error, StopIteration):
            # Fields beyond the csv module's size limit, or odd quoting: the slower parser copes.
            fields = _csv_fields(record)
        if self._columns is None and not FRAME_START.search(record):
            names = [f.strip().lower() for f in fields]
            self._columns = _Columns(names)
            return
        cols = self._columns or _NO_COLUMNS

        def pick(i: int | None) -> str | None:
            return fields[i] if i is not None and i < len(fields) else None

        frame_text = pick(cols.msg)
        if frame_text is None or not frame_text.strip():
            frame_text = next((f for f in fields if FRAME_START.match(f.strip())), None)
        if frame_text is None or not frame_text.strip():
            if FRAME_START.search(record):
                yield Draft(
                    start, snippet(record), error="frame-like text outside the frame column", end_line=end
                )
            return
        value, error = decode(frame_text)
        if error is None and len(frame_text) > self.ctx.settings.max_frame_size:
            value, error = None, "frame larger than max_frame_size"
        if error is None and not isinstance(value, list):
            error = "not an OCPP-J frame"
        d = Draft(
            start,
            frame_text.strip() if error is None else snippet(frame_text),
            value,
            error=error,
            end_line=end,
        )
        stamp = pick(cols.timestamp)
        if stamp:
            found = parse_datetime_text(stamp)
            dt = found[1] if found else None
            d.timestamp = Timestamp(stamp, dt, dt is not None and dt.tzinfo is None)
        d.charge_point = pick(cols.charge_point) or None
        direction = pick(cols.direction)
        if direction:
            d.field_direction = _TRACE_DIRECTIONS.get(direction.strip().lower())
        d.version_hint = self.ctx.version
        yield d


class _Columns:
    """Where the header put the fields the reader uses (None: absent)."""

    __slots__ = ("charge_point", "direction", "msg", "timestamp")

    def __init__(self, names: list[str]) -> None:
        def find(options: tuple[str, ...]) -> int | None:
            return next((names.index(o) for o in options if o in names), None)

        self.msg = find(_MSG_COLUMNS)
        self.timestamp = find(_TS_COLUMNS)
        self.charge_point = find(_CP_COLUMNS)
        self.direction = find(("direction", "dir"))


_NO_COLUMNS = _Columns([])
