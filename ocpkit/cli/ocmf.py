"""``ocpkit ocmf``: read an OCMF record (a signed meter value), show its readings, check its signature.

Theory of operation: the input (a file, or ``-`` for stdin) is one OCMF record,
several records one per line, or a signed meter value as OCPP carries it (the
1.6 ``SignedData`` text, or a 2.x ``signedMeterValue`` object), which is
unpacked first. Each record is read by :func:`ocpkit.energy.ocmf.parse`
(``--strict`` refuses breaches), and verified with ``--key`` or the key the
carriage holds when the ``crypto`` extra is installed. Output is text, or JSON
with ``--report json``. Exit status: 0 every record read (and, where checked,
verified), 1 a signature failed or strict reading refused a record, 2 the input
cannot be read at all.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ocpkit.cli._terminal import Style
from ocpkit.errors import OcmfError, OcmfInvalid

if TYPE_CHECKING:
    from ocpkit.energy import ocmf

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    """Add the ``ocmf`` subcommand and its arguments to the subparsers *sub*."""
    p = sub.add_parser(
        "ocmf",
        help="read and verify an OCMF record (signed meter value)",
        description="Read an OCMF record, print its readings and check its signature.",
    )
    p.add_argument(
        "file",
        metavar="FILE",
        help="an OCMF record, one per line, or an OCPP signed meter value; - for stdin",
    )
    p.add_argument(
        "--key", metavar="KEY", help="public key (hex, base64, PEM, oca:...) or a file holding one"
    )
    p.add_argument("--strict", action="store_true", help="refuse records that break OCMF rules")
    p.add_argument("--report", choices=["text", "json"], default="text", help="output format")


def _read(name: str, stdin: IO[bytes], limit: int) -> bytes:
    if name == "-":
        return stdin.read(limit + 1)
    with Path(name).open("rb") as handle:
        return handle.read(limit + 1)


def _key_text(value: str | None) -> str | None:
    if value is None:
        return None
    path = Path(value)
    try:
        if len(value) < 4096 and path.is_file():
            return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        pass
    return value


def _items(text: str) -> list[ocmf.Carried]:
    """The records (as carried) the input holds."""
    from ocpkit.energy import ocmf

    stripped = text.strip()
    if stripped.startswith(ocmf.HEADER + "|"):
        lines = [line.strip() for line in stripped.splitlines() if line.strip()]
        if len(lines) > 1 and all(line.startswith(ocmf.HEADER + "|") for line in lines):
            return [ocmf.Carried(line) for line in lines]
        return [ocmf.Carried(stripped)]
    if stripped.startswith("{"):
        try:
            obj = json.loads(stripped)
        except ValueError:
            obj = None
        if isinstance(obj, dict) and "signedMeterData" not in obj and "signedMeterValue" in obj:
            obj = obj["signedMeterValue"]
        if isinstance(obj, dict):
            return [ocmf.unpack(obj)]
    return [ocmf.unpack(stripped)]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _reading_dict(r: ocmf.OcmfReading) -> dict[str, Any]:
    return {
        "index": r.index,
        "time": None if r.time is None else str(r.time),
        "utc": None if r.time is None else r.time.utc.isoformat(),
        "transaction": None if r.transaction is None else str(r.transaction),
        "value": r.value_text if r.value is not None else None,
        "unit": None if r.unit is None else str(r.unit),
        "obis": r.obis_text,
        "current_type": None if r.current_type is None else str(r.current_type),
        "cumulated_loss": None if r.cumulated_loss is None else str(r.cumulated_loss),
        "error_flags": r.error_flags,
        "state": None if r.state is None else str(r.state),
        "billable": r.billable,
    }


def _record_dict(record: ocmf.Record) -> dict[str, Any]:
    p = record.payload
    fields: dict[str, Any] = {
        "FV": p.format_version,
        "GI": p.gateway_identification,
        "GS": p.gateway_serial,
        "GV": p.gateway_version,
        "PG": p.pagination_text,
        "MV": p.meter_vendor,
        "MM": p.meter_model,
        "MS": p.meter_serial,
        "MF": p.meter_firmware,
        "IS": p.identification_status,
        "IL": p.identification_level,
        "IF": None if p.identification_flags is None else [str(f) for f in p.identification_flags],
        "IT": p.identification_type,
        "ID": p.identification_data,
        "TT": p.tariff_text,
        "CF": p.charge_controller_firmware,
        "CT": p.charge_point_id_type,
        "CI": p.charge_point_id,
    }
    if p.loss_compensation is not None:
        lc = p.loss_compensation
        fields["LC"] = {"LN": lc.name, "LI": lc.identification, "LR": lc.resistance, "LU": lc.unit}
    sig = record.signature
    return {
        "payload": {
            k: (str(v) if isinstance(v, str) else v) for k, v in _plain(fields).items() if v is not None
        },
        "extensions": _plain(dict(p.extensions)),
        "readings": [_reading_dict(r) for r in record.readings],
        "signature": {
            "algorithm": sig.algorithm_text or (None if sig.algorithm is None else str(sig.algorithm)),
            "encoding": sig.encoding_text or (None if sig.encoding is None else str(sig.encoding)),
            "mime_type": sig.mime_type,
            "data": sig.data_text,
        },
        "deviations": [d.as_dict() for d in record.deviations],
    }


def _verify(record: ocmf.Record, key: str | None) -> dict[str, Any]:
    if key is None:
        return {"checked": False, "valid": None, "reason": "no public key"}
    try:
        result = record.verify(key)
    except OcmfError as exc:
        return {"checked": False, "valid": None, "reason": str(exc)}
    except OcmfInvalid as exc:
        return {"checked": False, "valid": None, "reason": str(exc).splitlines()[0]}
    return {"checked": True, **result.as_dict()}


def run(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[bytes]) -> int:
    """Run ``ocpkit ocmf`` with parsed *args*; return the exit status."""
    # Imported here, not with the module, so that the command line starts without the OCMF reader.
    from ocpkit.energy import ocmf

    limit = 4 * ocmf.MAX_RECORD
    try:
        data = _read(args.file, stdin, limit)
    except OSError as exc:
        err.write(f"ocpkit ocmf: {args.file}: {exc.strerror or exc}\n")
        return 2
    if len(data) > limit:
        err.write(f"ocpkit ocmf: {args.file}: longer than {limit} bytes\n")
        return 2
    try:
        text = data.decode("utf-8")
        items = _items(text)
    except UnicodeDecodeError as exc:
        err.write(f"ocpkit ocmf: {args.file}: not UTF-8 ({exc.reason})\n")
        return 2
    except OcmfInvalid as exc:
        err.write(f"ocpkit ocmf: {args.file}: {str(exc).splitlines()[0]}\n")
        return 2
    given = _key_text(args.key)
    reports: list[dict[str, Any]] = []
    status = 0
    for carried in items:
        report: dict[str, Any] = {"carriage": list(carried.notes)}
        try:
            record = carried.record()
        except OcmfInvalid as exc:
            report["error"] = str(exc).splitlines()[0]
            report["violations"] = [v.as_dict() for v in exc.violations]
            reports.append(report)
            status = 2
            continue
        if args.strict and record.breaches:
            report["refused"] = f"strict reading refuses the record: {len(record.breaches)} breach(es)"
            status = max(status, 1)
        report.update(_record_dict(record))
        key = given or carried.public_key or record.public_key_text
        report["verification"] = _verify(record, key)
        if report["verification"]["valid"] is False:
            status = max(status, 1)
        reports.append(report)
    if args.report == "json":
        out.write(json.dumps({"records": reports}, indent=2, ensure_ascii=False) + "\n")
    else:
        _text(reports, out)
    return status


def _text(reports: list[dict[str, Any]], out: IO[str]) -> None:
    s = Style(out)
    for i, report in enumerate(reports):
        if i:
            out.write("\n")
        if "error" in report:
            out.write(s.red(f"unreadable: {report['error']}") + "\n")
            for v in report.get("violations", [])[:50]:
                out.write(f"  {v['path'] or '/'}: {v['message']} [{v['keyword']}]\n")
            continue
        p = report["payload"]
        out.write(s.bold(f"OCMF record {p.get('PG', '?')} (format {p.get('FV', '?')})") + "\n")
        if "refused" in report:
            out.write("  " + s.red(report["refused"]) + "\n")
        for label, keys in (
            ("gateway", ("GI", "GS", "GV")),
            ("meter", ("MV", "MM", "MS", "MF")),
            ("user", ("IS", "IL", "IF", "IT", "ID")),
            ("charge point", ("CT", "CI", "CF")),
            ("tariff", ("TT",)),
        ):
            shown = [f"{k}={','.join(p[k]) if isinstance(p[k], list) else p[k]}" for k in keys if k in p]
            if shown:
                out.write(f"  {label}: {' '.join(str(x) for x in shown)}\n")
        out.write(f"  readings ({len(report['readings'])}):\n")
        for r in report["readings"]:
            flag = "billable" if r["billable"] else "not billable"
            out.write(
                f"    {r['transaction'] or '-'}  {r['time'] or '-'}  {r['value'] or '-'} {r['unit'] or ''}  "
                f"{r['obis'] or '-'}  state {r['state'] or '-'}  {flag}\n"
            )
        sig = report["signature"]
        out.write(f"  signature: {sig['algorithm'] or 'ECDSA-secp256r1-SHA256 (default)'}\n")
        v = report["verification"]
        if v["valid"] is True:
            line = s.green("verified: the signature matches")
        elif v["valid"] is False:
            line = s.red(f"NOT VERIFIED: {v['reason']}")
        else:
            line = s.yellow(f"not checked: {v['reason']}")
        out.write(f"  {line}\n")
        for note in report["carriage"]:
            out.write(f"  carriage: {note}\n")
        devs = report["deviations"] + ([] if v["valid"] is None else v.get("deviations", []))
        if devs:
            out.write(f"  deviations ({len(devs)}):\n")
            for d in devs[:50]:
                mark = "breach" if d["breach"] else "note"
                quoted = f": {d['value']}" if d["value"] else ""
                out.write(f"    {d['kind']} at {d['path'] or 'record'}{quoted} ({mark}; {d['rule']})\n")
