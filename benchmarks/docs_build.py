"""How long the documentation takes to build, against a minimal Sphinx project built in the same run.

Run: ``python benchmarks/docs_build.py`` from the repository root (needs the
``docs`` extra). Builds, each in a fresh temporary directory and a separate
process (``sphinx-build -b html``, serial):

* the baseline: ``tests/sphinxext/example`` (three ocpkit tables on one page),
  which pays Sphinx's own start-up and the model imports;
* the whole site of ``docs/`` with its generated reference.

Prints wall and CPU seconds of each, the number of HTML pages, the ratio of
the two, and the cost per generated page. CPU seconds are the children's user
+ system time, so a loaded machine shows in wall time but much less in CPU.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(source: Path) -> tuple[float, float, int]:
    """Build *source* to HTML in a temporary directory; return (wall s, cpu s, html pages)."""
    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(source), str(Path(tmp) / "html")],
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        pages = sum(1 for _ in (Path(tmp) / "html").rglob("*.html"))
    return wall, cpu, pages


def main() -> int:
    """Build both projects and print the comparison."""
    base_wall, base_cpu, base_pages = build(ROOT / "tests" / "sphinxext" / "example")
    site_wall, site_cpu, site_pages = build(ROOT / "docs")
    for name, wall, cpu, pages in (
        ("baseline (tests/sphinxext/example)", base_wall, base_cpu, base_pages),
        ("site (docs/)", site_wall, site_cpu, site_pages),
    ):
        print(f"{name:33s} {wall:6.1f} s wall {cpu:6.1f} s cpu {pages:4d} pages")
    print(f"ratio site/baseline: {site_wall / base_wall:.1f}x wall, {site_cpu / base_cpu:.1f}x cpu")
    extra = max(site_pages - base_pages, 1)
    print(f"cpu per additional page: {(site_cpu - base_cpu) / extra * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
