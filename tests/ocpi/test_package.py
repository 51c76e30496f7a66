"""Package-level promises: lazy version import, generated files fresh and deterministic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_importing_ocpkit_ocpi_imports_no_version_package() -> None:
    code = (
        "import sys, ocpkit.ocpi\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('ocpkit.ocpi.v'))\n"
        "assert loaded == [], loaded\n"
        "from ocpkit.ocpi import v221\n"
        "assert 'ocpkit.ocpi.v221' in sys.modules and 'ocpkit.ocpi.v230' not in sys.modules\n"
        "assert v221.Tariff.__ocpi_name__ == 'Tariff'\n"
        "import ocpkit.ocpi as o\n"
        "assert o.v230.Cdr.__ocpi_name__ == 'CDR'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_importing_ocpkit_ocpi_imports_no_pydantic_until_a_name_is_used() -> None:
    code = (
        "import sys, ocpkit, ocpkit.ocpp, ocpkit.ocpi\n"
        "assert 'pydantic' not in sys.modules, 'pydantic imported'\n"
        "assert 'parse' in dir(ocpkit.ocpi) and 'v221' in dir(ocpkit.ocpi)\n"
        "from ocpkit.ocpi import parse, STATUS_OF_RULE, LenientResult\n"
        "assert 'pydantic' in sys.modules\n"
        "assert ocpkit.ocpi.parse is parse and STATUS_OF_RULE and LenientResult.__name__ == 'LenientResult'\n"
        "try:\n"
        "    ocpkit.ocpi.no_such_name\n"
        "except AttributeError as exc:\n"
        "    assert 'no_such_name' in str(exc)\n"
        "else:\n"
        "    raise AssertionError('no AttributeError')\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


@pytest.mark.shared
def test_generated_files_are_up_to_date(shared: Path) -> None:
    from tools.codegen import ocpi

    files = ocpi.generate(shared)
    stale = [rel for rel, text in files.items() if (ROOT / rel).read_text("utf-8") != text]
    assert stale == []
    on_disk = {
        p.relative_to(ROOT).as_posix()
        for owned in ocpi.OWNED
        for p in (ROOT / owned).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert on_disk == set(files)
    # Generated modules carry the banner naming the command that regenerates them.
    assert all("python -m tools.codegen" in files[rel] for rel in files if rel.endswith(".py"))


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("location", "Location"), ("LOCATION", "Location"), ("Tarif", "Tariff"), ("cdr", "CDR")],
)
def test_unknown_object_name_suggests_close_matches(name: str, suggestion: str) -> None:
    from ocpkit import ocpi
    from ocpkit.errors import UnsupportedError

    with pytest.raises(UnsupportedError) as info:
        ocpi.parse("2.2.1", name, {})
    assert f"did you mean {suggestion!r}" in str(info.value)
    with pytest.raises(UnsupportedError) as info:
        ocpi.parse("2.2.1", "Zebra", {})
    assert "did you mean" not in str(info.value)


def test_unknown_ocpp_action_suggests_close_matches() -> None:
    from ocpkit.errors import UnsupportedError
    from ocpkit.ocpp import validate_payload

    with pytest.raises(UnsupportedError, match=r"did you mean 'BootNotification'"):
        validate_payload("2.0.1", "bootnotification", "request", {})
