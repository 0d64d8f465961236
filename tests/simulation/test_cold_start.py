"""Cold start (issue 29): the ``auto`` engine and the numba cache directory.

A fresh install has no compiled kernels: the first ``simulate`` spent 25-50 s compiling. Now small runs use
the numpy reference engine while the cache is cold (same figures), and numba always has a writable cache.
(The timing itself is measured by bench/bench_cold_start.py, not here.)"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from seguro_desempleo.simulation import _cache, runner
from seguro_desempleo.simulation.runner import RunSpec, resolve_engine, run


def test_auto_uses_numpy_while_the_kernels_are_not_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_cache, "kernels_cached", lambda: False)
    assert resolve_engine(RunSpec(persons=200_000, months=120, engine="auto")).engine == "numpy"
    # too big for the numpy engine to beat the compilation: compile
    assert resolve_engine(RunSpec(persons=18_000_000, months=120, engine="auto")).engine == "fast"
    monkeypatch.setattr(_cache, "kernels_cached", lambda: True)
    assert resolve_engine(RunSpec(persons=200_000, months=120, engine="auto")).engine == "fast"
    # an explicit engine is never changed
    monkeypatch.setattr(_cache, "kernels_cached", lambda: False)
    assert resolve_engine(RunSpec(persons=1000, months=12, engine="fast")).engine == "fast"


def test_auto_gives_the_same_figures_as_either_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = RunSpec(persons=3000, months=12, burn_in=6, seed=4, engine="auto")
    monkeypatch.setattr(_cache, "kernels_cached", lambda: False)
    cold = run(spec)
    monkeypatch.setattr(_cache, "kernels_cached", lambda: True)
    warm = run(spec)
    assert cold.spec.engine == "numpy" and warm.spec.engine == "fast"
    assert np.array_equal(cold.acc, warm.acc) and np.array_equal(cold.mon, warm.mon)


def test_unknown_engine_names_the_choices() -> None:
    with pytest.raises(Exception, match="auto, fast or numpy"):
        RunSpec(engine="turbo").validate()


def test_read_only_package_dir_gets_a_writable_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    read_only = tmp_path / "pkg"
    real = _cache._writable
    monkeypatch.setattr(_cache, "_writable", lambda p: False if read_only in p.parents or p == read_only else real(p))
    chosen = _cache.ensure_cache_dir(read_only)
    assert chosen == str(tmp_path / "xdg" / "seguro-desempleo" / "numba")
    import os

    assert os.environ["NUMBA_CACHE_DIR"] == chosen
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    from numba.core import config

    config.reload_config()


def test_writable_package_dir_or_user_choice_is_left_alone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert _cache.ensure_cache_dir(tmp_path / "ro") is None
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    assert _cache.ensure_cache_dir(tmp_path / "pkg") is None      # writable: numba caches next to the source


def test_kernels_cached_reads_the_real_cache() -> None:
    run(RunSpec(persons=64, months=2, burn_in=1, engine="fast"))   # compiles (or loads) and caches
    assert _cache.kernels_cached() is True
    assert runner.AUTO_NUMPY_MAX_PERSON_MONTHS >= 200_000 * 144    # the default simulate run starts in numpy


def test_background_warm_up_runs_once_at_a_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import subprocess

    started: list[list[str]] = []
    monkeypatch.setattr(subprocess, "Popen", lambda args, **kw: started.append(args))
    monkeypatch.setattr(_cache, "lock_path", lambda: tmp_path / "warmup.lock")
    monkeypatch.setenv("SEGURO_NO_WARMUP", "1")
    assert _cache.spawn_warm_up() is False and not started
    monkeypatch.delenv("SEGURO_NO_WARMUP")
    assert _cache.spawn_warm_up() is True and len(started) == 1
    assert (tmp_path / "warmup.lock").exists()
    assert _cache.spawn_warm_up() is False and len(started) == 1      # one is already compiling
    (tmp_path / "warmup.lock").unlink()
    assert _cache.spawn_warm_up() is True and len(started) == 2
