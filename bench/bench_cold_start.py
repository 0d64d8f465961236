"""Cold start vs warm start of every command that compiles numba kernels (issue 29).

For each command, in fresh processes and a fresh (empty) numba cache directory — a fresh install:

- ``cold``: the command's first run on the empty cache (no ``warm`` step: the worst case; the ``auto``
  engines run numpy while the cache is cold);
- ``after warm``: the command's first run on a cache filled by ``seguro-desempleo warm`` (run once per
  repeat, timed; what the README's demo command and .ci/run do after installing) — the first run a user
  who followed the README gets;
- ``warm``: a further run (the steady state).

Each figure is wall seconds and, in brackets, CPU seconds (user + system of the child: much less sensitive
to the load of the other users of the machine). The ratios are measured in the same run: cold / warm and
after-warm / warm; target: first run within 10 s of warm. ``--repeat N`` repeats everything N times and
prints the median of each figure with the load average (1 min) seen at the start of each repeat.

    .venv/bin/python bench/bench_cold_start.py [--only simulate] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXE = [sys.executable, "-c", "import sys; from seguro_desempleo.cli import main; sys.exit(main(sys.argv[1:]))"]
COMMANDS = {
    "simulate (default: 200,000 × 120 months)": ["simulate"],
    "simulate small (20,000 × 12)": ["simulate", "--persons", "20000", "--months", "12"],
    "compare (2 designs, 50,000 × 24)": ["compare", "--designs", "bill,chile", "--persons", "50000", "--months", "24",
                                         "--out", "{tmp}/cmp"],
    "valuation solve-rate microsim-bill": ["valuation", "solve-rate", "--assumptions", "microsim-bill"],
    "valuation bridge (ILO basis)": ["valuation", "bridge"],
    "valuation stress microsim-bill": ["valuation", "stress", "--assumptions", "microsim-bill"],
    "valuation stochastic (10,000 paths)": ["valuation", "stochastic", "--runs", "10000", "--format", "json"],
    "valuation (ILO table)": ["valuation"],
}


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(cmd: list[str], src: str, warmed: str) -> dict[str, tuple[float, float]]:
    """*cmd* cold (its own empty cache), then its first and second runs on *warmed* (a cache filled by
    ``seguro-desempleo warm``)."""
    with tempfile.TemporaryDirectory(prefix="numba-cold-") as cache, tempfile.TemporaryDirectory() as tmp:
        args = [*EXE, *(a.replace("{tmp}", tmp) for a in cmd)]
        out = {"cold": timed(args, env_for(cache, src))}
        out["after warm"] = timed(args, env_for(warmed, src))
        out["warm"] = timed(args, env_for(warmed, src))
    return out


def env_for(cache: str, src: str) -> dict[str, str]:
    return {**os.environ, "NUMBA_CACHE_DIR": cache, "SEGURO_NO_WARMUP": "1",
            "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default=None, help="run the commands whose label contains this text")
    ap.add_argument("--repeat", type=int, default=1, help="repeat N times; print the medians")
    ns = ap.parse_args()
    src = str(Path(__file__).resolve().parents[1] / "src")
    chosen = {k: v for k, v in COMMANDS.items() if not ns.only or ns.only in k}
    runs: dict[str, list[dict[str, tuple[float, float]]]] = {k: [] for k in chosen}
    loads: list[float] = []
    warms: list[tuple[float, float]] = []
    head = (f"{'command':42s} {'cold s (cpu)':>15s} {'after warm':>15s} {'warm s (cpu)':>15s} "
            f"{'cold-warm':>10s} {'cold/warm':>9s} {'after-warm':>10s} {'cpu c-w':>8s}")
    for r in range(ns.repeat):
        load = os.getloadavg()[0]
        loads.append(load)
        with tempfile.TemporaryDirectory(prefix="numba-warmed-") as warmed:
            w = timed([*EXE, "warm"], env_for(warmed, src))
            warms.append(w)
            print(f"# repeat {r + 1}/{ns.repeat}, load average {load:.2f} (2 cores); "
                  f"'seguro-desempleo warm' on an empty cache: {w[0]:.1f} s ({w[1]:.1f} s cpu)", flush=True)
            print(head, flush=True)
            for label, cmd in chosen.items():
                m = measure(cmd, src, warmed)
                runs[label].append(m)
                print(row(label, m), flush=True)
    if ns.repeat > 1:
        print(f"# median of {ns.repeat} repeats; load average at their start: "
              f"{', '.join(f'{x:.1f}' for x in loads)} (median {statistics.median(loads):.1f}); warm step "
              f"{statistics.median(w[0] for w in warms):.1f} s ({statistics.median(w[1] for w in warms):.1f} s cpu)")
        print(head)
        for label, ms in runs.items():
            med = {k: (statistics.median(m[k][0] for m in ms), statistics.median(m[k][1] for m in ms))
                   for k in ms[0]}
            print(row(label, med, ms))


def row(label: str, m: dict[str, tuple[float, float]], repeats: list[dict[str, tuple[float, float]]] | None = None
        ) -> str:
    """One line; with *repeats*, the differences and ratios are the medians of each repeat's own (same-run)
    figures, not figures of the medians."""
    (cw, cc), (aw, ac), (ww, wc) = m["cold"], m["after warm"], m["warm"]
    ms = repeats or [m]
    diff = statistics.median(r["cold"][0] - r["warm"][0] for r in ms)
    ratio = statistics.median(r["cold"][0] / r["warm"][0] for r in ms)
    after = statistics.median(r["after warm"][0] - r["warm"][0] for r in ms)
    cpu = statistics.median(r["cold"][1] - r["warm"][1] for r in ms)
    return (f"{label:42s} {cw:7.2f} ({cc:5.2f}) {aw:7.2f} ({ac:5.2f}) {ww:7.2f} ({wc:5.2f}) "
            f"{diff:10.2f} {ratio:9.2f} {after:10.2f} {cpu:8.2f}")


if __name__ == "__main__":
    main()
