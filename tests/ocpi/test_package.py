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
