"""The benchmark script's quick mode runs once at tiny sizes, so the script cannot rot."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_quick_mode(tmp_path):
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "| case | what | measure |" in run.stdout
    result = json.loads(out.read_text())
    assert result["quick"] is True and result["machine"]
    cases = {row["case"] for row in result["rows"]}
    assert cases == {"1", "2", "3", "4", "5", "6", "7", "8"}
    for row in result["rows"]:
        if row["ours"] is not None:
            assert row["ours"] > 0 and row["reference"] > 0
            assert row["ratio"] == row["ours"] / row["reference"]
        elif "not run" in row["measure"]:  # jax.jacrev of an n⁴ result too big for memory
            assert row["case"] == "6" and "would need" in row["measure"]
        else:  # a peer that is not installed says so, and how to install it
            assert "not installed" in row["measure"] and "pip install" in row["measure"]
