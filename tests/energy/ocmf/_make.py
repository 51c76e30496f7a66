"""Test helpers: OCMF records signed with keys made in the test (the ``crypto`` extra)."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest


def require_crypto() -> Any:
    """The cryptography ``ec`` module; skip without the extra (fail in CI, which installs it)."""
    try:
        from cryptography.hazmat.primitives.asymmetric import ec
    except ImportError:
        reason = "the crypto extra (cryptography) is not installed"
        if os.environ.get("OCPKIT_REQUIRE_SHARED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return ec


class Signer:
    """A key pair made in the test; signs OCMF payload texts."""

    def __init__(self, curve: str = "secp256r1") -> None:
        ec = require_crypto()
        from cryptography.hazmat.primitives import serialization

        made = {
            "secp256r1": ec.SECP256R1,
            "secp256k1": ec.SECP256K1,
            "secp192r1": ec.SECP192R1,
            "secp384r1": ec.SECP384R1,
            "brainpoolP256r1": ec.BrainpoolP256R1,
            "brainpoolP384r1": ec.BrainpoolP384R1,
        }[curve]()
        self.curve = curve
        self._key = ec.generate_private_key(made)
        self.spki = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.hex = self.spki.hex().upper()
        self.pem = (
            self._key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def signature(self, payload: str) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        return bytes(self._key.sign(payload.encode(), ec.ECDSA(hashes.SHA256())))

    def record(
        self, payload: str | dict[str, Any], *, algorithm: str | None = "ECDSA-secp256r1-SHA256"
    ) -> str:
        """``OCMF|payload|{SA, SD}`` with a valid signature over *payload* (a dict is dumped compactly)."""
        text = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
        section: dict[str, str] = {} if algorithm is None else {"SA": algorithm}
        section["SD"] = self.signature(text).hex().upper()
        return f"OCMF|{text}|{json.dumps(section, separators=(',', ':'))}"


def reading(
    tx: str, value: str, tm: str, *, unit: str = "kWh", obis: str = "01-00:B0.08.00*FF"
) -> dict[str, Any]:
    """One reading dict (the value is spliced in as a number literal by :func:`payload`)."""
    return {"TM": tm, "TX": tx, "RV": f"@{value}@", "RI": obis, "RU": unit, "EF": "", "ST": "G"}


def payload(page: int, readings: list[dict[str, Any]], *, serial: str = "1TEST0000001", **extra: Any) -> str:
    """A lawful OCMF 1.3 payload text; ``RV`` values keep their exact spelling."""
    doc: dict[str, Any] = {
        "FV": "1.3",
        "GI": "TEST",
        "GS": "GW-1",
        "GV": "1.0",
        "PG": f"T{page}",
        "MV": "ACME",
        "MM": "M-1",
        "MS": serial,
        "MF": "1.0",
        "IS": True,
        "IL": "VERIFIED",
        "IF": ["RFID_PLAIN"],
        "IT": "ISO14443",
        "ID": "1F2D3A4F5506C7",
        **extra,
        "RD": readings,
    }
    text = json.dumps(doc, separators=(",", ":"))
    return text.replace('"@', "").replace('@"', "")
