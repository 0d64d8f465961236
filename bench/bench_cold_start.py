"""Cold start vs warm start of the commands that compile numba kernels (issue 29).

Each command runs three times in a fresh process: cold (an empty numba cache directory: a fresh
install), then the warm-up the CLI starts in the background after a cold run (here run in the
foreground so it does not compete with the timing), then warm. Prints seconds and the cold − warm
difference (target: ≤ 10 s) and the cold / warm ratio.

    .venv/bin/python bench/bench_cold_start.py [--only simulate]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from seguro_desempleo.simulation._cache import WARM_UP_CODE

EXE = [sys.executable, "-c", "import sys; from seguro_desempleo.cli import main; sys.exit(main(sys.argv[1:]))"]
COMMANDS = {
    "simulate (default: 200,000 persons × 120 months)": ["simulate"],
    "simulate small (20,000 × 12)": ["simulate", "--persons", "20000", "--months", "12"],
    "valuation microsim-bill solve-rate": ["valuation", "solve-rate", "--assumptions", "microsim-bill"],
    "valuation stochastic (10,000 paths)": ["valuation", "stochastic", "--runs", "10000", "--format", "json"],
    "valuation (ILO table)": ["valuation"],
}


def timed(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default=None, help="run the commands whose label contains this text")
    ns = ap.parse_args()
    src = str(Path(__file__).resolve().parents[1] / "src")
    print(f"{'command':50s} {'cold s':>8s} {'warm s':>8s} {'cold-warm':>10s} {'ratio':>6s}")
    for label, cmd in COMMANDS.items():
        if ns.only and ns.only not in label:
            continue
        with tempfile.TemporaryDirectory(prefix="numba-cold-") as cache:
            env = {**os.environ, "NUMBA_CACHE_DIR": cache, "SEGURO_NO_WARMUP": "1",
                   "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
            cold = timed([*EXE, *cmd], env)
            subprocess.run([sys.executable, "-c", WARM_UP_CODE], env=env, check=True)
            timed([*EXE, *cmd], env)          # any kernel the warm-up does not cover compiles here
            warm = timed([*EXE, *cmd], env)
        print(f"{label:50s} {cold:8.2f} {warm:8.2f} {cold - warm:10.2f} {cold / warm:6.2f}", flush=True)


if __name__ == "__main__":
    main()
