"""OCMF speed: reading and verifying records, and what the signed-meter-value watcher costs the fold.

Usage: python benchmarks/ocmf.py [--repeat N]

(a) Reading: the 256 real records of the S.A.F.E. corpus (../shared) through
``ocmf.parse``, against ``json.loads`` of their two sections split on ``|`` (the
floor: a reader that keeps nothing and checks nothing). (b) Verifying: the
secp256r1 records through ``Record.verify``, against ``cryptography``'s own
``verify`` of the same signature over the same bytes. (c) The conversation fold
over the kwwhat 1.6 capture (no signed values: the watcher's cost on ordinary
traffic) with the default watchers against none. Prints each time and the
ratio to its baseline, measured in the same run (best of N).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ocpkit.capture import read_capture
from ocpkit.energy import ocmf
from ocpkit.ocpp.conversation import check

CORPUS = "conformance/ocmf/hupe1980-ocmf/ocmf/tests/corpus/records.json"
CAPTURE = "conformance/captures/kwwhat/demo/seeds/ocpp_1_6_synthetic_logs_14d.csv"


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    shared = Path(os.environ.get("OCPKIT_SHARED", Path(__file__).resolve().parents[2] / "shared"))
    entries = json.loads((shared / CORPUS).read_text(encoding="utf-8"))["entries"]
    texts = [e["record"] for e in entries]

    def floor() -> None:
        for text in texts:
            parts = text.split("|")
            json.loads(parts[1])
            json.loads(parts[2])

    def read() -> None:
        for text in texts:
            ocmf.parse(text)

    t_floor, t_read = best(floor, args.repeat), best(read, args.repeat)
    print(
        f"read {len(texts)} real records: json.loads floor {t_floor * 1e3:.2f} ms, "
        f"ocmf.parse {t_read * 1e3:.2f} ms ({t_read / len(texts) * 1e6:.1f} us/record), "
        f"ratio {t_read / t_floor:.1f}x"
    )

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    pairs = []
    for e in entries:
        if not e["openssl_verified"]:
            continue
        record = ocmf.parse(e["record"])
        if record.signature.algorithm is not ocmf.SignatureAlgorithm.ECDSA_SECP256R1_SHA256:
            continue
        key = ocmf.load_public_key(e["key"], curve=ocmf.Curve.SECP256R1)
        if key.curve is None or len(record.signature.data or b"") == 64:
            continue
        pairs.append((record, key))
    from ocpkit.energy.ocmf._verify import _read_der_signature

    raw = []
    for record, key in pairs:
        r, s, _ = _read_der_signature(record.signature.data or b"") or (0, 0, True)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key.point)
        raw.append((public, encode_dss_signature(r, s), record.signed_bytes))

    def crypto_floor() -> None:
        for public, signature, message in raw:
            public.verify(signature, message, ec.ECDSA(hashes.SHA256()))

    def verify_all() -> None:
        for record, key in pairs:
            assert record.verify(key).valid

    t_cf, t_v = best(crypto_floor, args.repeat), best(verify_all, args.repeat)
    print(
        f"verify {len(pairs)} secp256r1 records: cryptography floor {t_cf * 1e3:.2f} ms, "
        f"ocmf.verify {t_v * 1e3:.2f} ms ({t_v / len(pairs) * 1e6:.1f} us/record), ratio {t_v / t_cf:.2f}x"
    )

    with (shared / CAPTURE).open(encoding="utf-8", errors="replace") as handle:
        frames = list(read_capture(handle))

    def bare() -> None:
        for _ in check(frames, "1.6", watchers=()):
            pass

    def watched() -> None:
        for _ in check(frames, "1.6"):
            pass

    t_bare, t_watched = best(bare, args.repeat), best(watched, args.repeat)
    print(
        f"fold over {len(frames)} frames: no watchers {t_bare:.3f} s, default watchers {t_watched:.3f} s, "
        f"ratio {t_watched / t_bare:.2f}x"
    )


if __name__ == "__main__":
    main()
