"""The simulate and compare commands, and their one-line errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seguro_desempleo.cli import main


def test_simulate_json_writes_summary_flows_and_calibration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["simulate", "--design", "chile", "--persons", "4000", "--months", "6", "--burn-in", "6",
                 "--seed", "3", "--out", str(tmp_path), "--format", "json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["design"] == "chile" and out["persons"] == 4000
    assert {"summary.json", "flows.csv", "calibration.md"} <= {p.name for p in tmp_path.iterdir()}
    assert any(r["moment"] == "informality.rate" for r in out["calibration"])


def test_compare_writes_report_with_charts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compare", "--designs", "bill,phase2_small", "--persons", "3000", "--months", "6", "--burn-in",
                 "6", "--workers", "0", "--seeds", "1,2", "--out", str(tmp_path)])
    assert code == 0
    assert "phase2_small" in capsys.readouterr().out
    bill = json.loads((tmp_path / "bill.json").read_text(encoding="utf-8"))
    assert bill["persons"] == 6000 and bill["seeds"] == [1, 2]
    lo, hi = bill["seed_spread"]["cost_share_of_gdp"]
    assert lo <= bill["indicators"]["all"]["cost_share_of_gdp"] <= hi
    assert "cost_share_of_gdp_seed_range" in (tmp_path / "comparison.csv").read_text(encoding="utf-8")
    assert (tmp_path / "comparison.md").exists() and (tmp_path / "coverage_of_employed.png").exists()
    assert (tmp_path / "bill.json").exists()


def _targets_with(tmp_path: Path, old: str, new: str) -> Path:
    from seguro_desempleo.simulation.calibration import TARGETS_FILE

    text = TARGETS_FILE.read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / "targets.yaml"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


@pytest.mark.parametrize(("args", "needle"), [
    (["simulate", "--design", "atlantis"], "unknown design 'atlantis'"),
    (["compare", "--designs", "bill,atlantis", "--workers", "0"], "unknown design 'atlantis'"),
    (["simulate", "--persons", "0"], "field 'persons'"),
    (["simulate", "--format", "xml"], "unknown format"),
    (["simulate", "--engine", "numpy", "--persons", "20000000", "--memory-limit", "1"], "--partitions"),
    (["simulate", "--targets", "/nonexistent/targets.yaml"], "cannot read targets"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and needle in err and "\n" not in err


def test_impossible_calibration_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _targets_with(tmp_path, "    value: 0.088\n", "    value: 0.95\n")
    assert main(["simulate", "--targets", str(p), "--persons", "1000", "--months", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert "impossible calibration target" in err and "formal_job_finding_rate" in err


def test_compare_on_a_dask_scheduler_address(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        code = main(["compare", "--designs", "bill,uruguay", "--persons", "2000", "--months", "3", "--burn-in", "3",
                     "--dask", cluster.scheduler_address, "--out", str(tmp_path)])
    assert code == 0
    assert "uruguay" in (tmp_path / "comparison.md").read_text(encoding="utf-8")


def test_unreachable_dask_scheduler_is_one_line() -> None:
    from seguro_desempleo.errors import InputError
    from seguro_desempleo.simulation.sweep import dask_executor

    with pytest.raises(InputError, match="cannot reach the Dask scheduler"), \
            dask_executor("tcp://127.0.0.1:9", timeout="1s"):
        pass


def test_fast_engine_memory_error_suggests_a_smaller_block(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--persons", "5000000", "--memory-limit", "0.1"]) == 2
    assert "--block" in capsys.readouterr().err
