"""The Spark recipe of the fleet how-to (examples/fleet_spark.py) gives ocpkit validate's records.

Runs when pyspark and a Java runtime are installed; CI installs the spark extra where Java is present
and sets OCPKIT_REQUIRE_SPARK=1, which makes a missing pyspark fail instead of skip.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.fleet.conftest import canonical, cli_jsonl

if shutil.which("java") is None:
    pytest.skip("no Java runtime: Spark cannot start", allow_module_level=True)
try:
    import pyspark  # noqa: F401
except ImportError:
    if os.environ.get("OCPKIT_REQUIRE_SPARK") == "1":
        raise
    pytest.skip("pyspark is not installed (pip install '.[spark]')", allow_module_level=True)

sys.path.insert(0, str(ROOT / "examples"))
from fleet_spark import validate_with_spark

from ocpkit.fleet import RECORD_KEYS


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    # Spark's Python workers run this interpreter, where ocpkit is importable.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("ocpkit-fleet-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    # The recipe's module goes to Spark's Python workers with the job.
    session.sparkContext.addPyFile(str(ROOT / "examples" / "fleet_spark.py"))
    yield session
    session.stop()


def test_spark_recipe_record_for_record(spark: Any, fleet_dir: Path) -> None:
    paths = sorted(str(p) for p in fleet_dir.iterdir())
    expected, _ = cli_jsonl(*paths)
    rows = validate_with_spark(spark, paths, partitions=3).toArrow().to_pylist()
    got = [{k: row[k] for k in RECORD_KEYS} for row in rows]
    assert len(got) == len(expected) > 1000
    assert canonical(got) == canonical(expected)
