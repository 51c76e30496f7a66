"""Records and summaries as Arrow tables (private; needs ``pyarrow``, the ``fleet`` extra)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ocpkit.errors import MissingExtraError
from ocpkit.fleet._fold import Record
from ocpkit.fleet._summary import Summary

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["record_schema", "records_to_arrow", "summaries_to_arrow", "summary_schema"]


def _pa() -> Any:
    try:
        import pyarrow
    except ImportError:
        raise MissingExtraError("Arrow tables", "fleet", "pyarrow") from None
    return pyarrow


def record_schema() -> pa.Schema:
    """The Arrow schema of the records: the jsonl record's fields, then ``tolerated`` and ``notes``."""
    pa = _pa()
    text = pa.string()
    violation = pa.struct(
        [
            ("path", text),
            ("frame_path", text),
            ("keyword", text),
            ("code", text),
            ("message", text),
        ]
    )
    finding = pa.struct([("severity", text), ("code", text), ("message", text), ("path", text)])
    return pa.schema(
        [
            ("source", text),
            ("line", pa.int64()),
            ("charge_point", text),
            ("message_id", text),
            ("timestamp", text),
            ("direction", text),
            ("version", text),
            ("kind", text),
            ("action", text),
            ("ok", pa.bool_()),
            ("violations", pa.list_(violation)),
            ("findings", pa.list_(finding)),
            ("tolerated", pa.list_(pa.int32())),
            ("notes", pa.list_(text)),
        ]
    )


def records_to_arrow(records: Iterable[Record]) -> pa.Table:
    """An Arrow table of *records*, one row each, in :func:`record_schema`."""
    pa = _pa()
    rows = []
    for record in records:
        row = record.as_json()
        row["tolerated"] = sorted(record.tolerated)
        row["notes"] = list(record.notes)
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=record_schema())


_JSON_COLUMNS = (
    "charge_points",
    "versions",
    "by_kind",
    "by_action",
    "by_code",
    "by_keyword",
    "findings",
    "findings_listed",
    "unanswered_listed",
    "reliability",
)


def summary_schema() -> pa.Schema:
    """The Arrow schema of the summaries: counts as integers, nested values as JSON text."""
    pa = _pa()
    counts = [
        "frames",
        "valid",
        "invalid",
        "tolerated_violations",
        "findings_total",
        "unanswered_calls",
        "unpaired_results",
    ]
    return pa.schema(
        [
            ("charge_point", pa.string()),
            *((name, pa.int64()) for name in counts),
            ("availability", pa.float64()),
            *((name, pa.string()) for name in _JSON_COLUMNS),
        ]
    )


def summaries_to_arrow(summaries: Mapping[str | None, Summary]) -> pa.Table:
    """An Arrow table with one row per charge point of *summaries*, in :func:`summary_schema`."""
    pa = _pa()
    rows = []
    for cp, summary in summaries.items():
        d = summary.as_dict()
        figures = summary.reliability
        row: dict[str, Any] = {
            "charge_point": cp,
            "availability": next(iter(figures.values())).availability if len(figures) == 1 else None,
        }
        for key in ("frames", "valid", "invalid", "tolerated_violations", "findings_total"):
            row[key] = d[key]
        row["unanswered_calls"] = d["unanswered_calls"]
        row["unpaired_results"] = d["unpaired_results"]
        for key in _JSON_COLUMNS:
            row[key] = json.dumps(d[key], ensure_ascii=False, sort_keys=False)
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=summary_schema())
