"""Cold start (issue 29): the ``auto`` engine and the numba cache directory.

A fresh install has no compiled kernels: the first ``simulate`` spent 25-50 s compiling. Now small runs use
the numpy reference engine while the cache is cold (same figures), and numba always has a writable cache.
(The timing itself is measured by bench/bench_cold_start.py, not here.)"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
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


def test_the_cache_goes_to_a_per_user_directory_never_the_package(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    """Read-only or not, the package directory never receives cache files (a system install is read-only
    and shared); the per-user cache of platformdirs (XDG_CACHE_HOME on Linux) does."""
    import os

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    chosen = _cache.ensure_cache_dir(tmp_path / "pkg")
    assert chosen == str(tmp_path / "xdg" / "seguro-desempleo" / "numba")
    assert os.environ["NUMBA_CACHE_DIR"] == chosen
    assert not (tmp_path / "pkg").exists()
    # the per-user directory not writable: a per-user temporary directory, still not the package
    real = _cache._writable
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.setattr(_cache, "_writable", lambda p: False if (tmp_path / "xdg") in p.parents else real(p))
    chosen = _cache.ensure_cache_dir(tmp_path / "pkg")
    assert chosen is not None and "seguro-desempleo-numba-" in chosen and str(tmp_path / "pkg") not in chosen
    # a candidate inside the package is skipped
    monkeypatch.setattr(_cache, "candidate_dirs", lambda: [tmp_path / "pkg" / "__pycache__", tmp_path / "other"])
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    assert _cache.ensure_cache_dir(tmp_path / "pkg") == str(tmp_path / "other")


@pytest.fixture(autouse=True)
def _numba_config_restored() -> Iterator[None]:
    """Tests here change NUMBA_CACHE_DIR; numba reads it into its config: put both back, so kernels decorated
    later in this worker still cache in the per-user directory."""
    import os

    before = os.environ.get("NUMBA_CACHE_DIR")
    yield
    if before is None:
        os.environ.pop("NUMBA_CACHE_DIR", None)
    else:
        os.environ["NUMBA_CACHE_DIR"] = before
    from numba.core import config

    config.reload_config()


def test_the_users_choice_is_left_alone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert _cache.ensure_cache_dir(tmp_path / "ro") is None
    import os

    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path)


def test_importing_the_package_points_numba_away_from_the_package(tmp_path: Path) -> None:
    """A fresh process with no NUMBA_CACHE_DIR: importing ``seguro_desempleo`` chooses the per-user cache,
    without importing numba (commands that never compile do not pay for it), and a kernel compiled
    afterwards is cached there."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    code = ("import os, sys, seguro_desempleo; print(os.environ['NUMBA_CACHE_DIR']); print('numba' in sys.modules);"
            "from seguro_desempleo.formats import payroll_csv; import numpy as np;"
            "print(payroll_csv._line_fields(np.frombuffer(b'a,b\\nc\\n', dtype=np.uint8)).tolist())")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    where, numba_loaded, counts = out.stdout.split("\n")[:3]
    assert where == str(tmp_path / "xdg" / "seguro-desempleo" / "numba") and numba_loaded == "False"
    assert counts == "[2, 1]"
    assert list((tmp_path / "xdg").rglob("*.nbi")), "the kernel was cached in the per-user directory"


KERNEL = """from numba import njit


@njit(cache=True)
def f(x):
    return x + {add}
"""
RUN = "import seguro_desempleo, sys; sys.path.insert(0, {d!r}); import kern; print(kern.f(1))"


def _run_kernel(tmp_path: Path, *, guard: bool = True) -> subprocess.CompletedProcess[str]:
    import os
    import sys

    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    code = RUN.format(d=str(tmp_path / "src"))
    if not guard:
        code = code.replace("import seguro_desempleo, sys;", "import sys;")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


@pytest.mark.parametrize("damage", ["truncate data", "garble data", "truncate index", "garble index", "empty index"])
def test_a_corrupt_cache_is_a_miss_not_an_error(tmp_path: Path, damage: str) -> None:
    """A half-written or garbled cache file (a full disk, a killed warm-up, another numba build) must not
    break a run: the kernel compiles again and the cache is rewritten. Without the guard numba raises
    (the last assertion shows it does, so the test checks the guard and not numba)."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "kern.py").write_text(KERNEL.format(add=1))
    first = _run_kernel(tmp_path)
    assert first.returncode == 0 and first.stdout.strip() == "2", first.stderr
    suffix = ".nbc" if "data" in damage else ".nbi"
    files = list((tmp_path / "cache").rglob(f"*{suffix}"))
    assert files
    for f in files:
        raw = f.read_bytes()
        f.write_bytes(b"" if damage == "empty index" else raw[: len(raw) // 3] if "truncate" in damage
                      else b"garbage\n" + raw[8:])
    again = _run_kernel(tmp_path)
    assert again.returncode == 0 and again.stdout.strip() == "2", again.stderr
    healed = _run_kernel(tmp_path, guard=False)  # the cache was rewritten: plain numba reads it again
    assert healed.returncode == 0 and healed.stdout.strip() == "2", healed.stderr
    for f in (tmp_path / "cache").rglob(f"*{suffix}"):
        f.write_bytes(b"garbage\n")
    assert _run_kernel(tmp_path, guard=False).returncode != 0  # numba alone fails on such a file


def test_a_stale_cache_recompiles(tmp_path: Path) -> None:
    """The source changed since the cache was written (an upgrade): the new code runs, not the old."""
    import os

    (tmp_path / "src").mkdir()
    src = tmp_path / "src" / "kern.py"
    src.write_text(KERNEL.format(add=1))
    assert _run_kernel(tmp_path).stdout.strip() == "2"
    src.write_text(KERNEL.format(add=41))
    st = src.stat()
    os.utime(src, (st.st_atime + 5, st.st_mtime + 5))
    out = _run_kernel(tmp_path)
    assert out.returncode == 0 and out.stdout.strip() == "42", out.stderr


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


def test_warm_compiles_ahead_into_the_cache(tmp_path: Path) -> None:
    """``seguro-desempleo warm`` fills an empty cache (here the stochastic valuation's kernel, the quickest
    to compile); ``kernels_cached`` then sees the engine's kernels after ``--only simulation``."""
    import os
    import sys

    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    main = "import sys; from seguro_desempleo.cli import main; sys.exit(main(sys.argv[1:]))"
    out = subprocess.run([sys.executable, "-c", main, "warm", "--only", "stochastic"], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert str(tmp_path / "cache") in out.stdout and "stochastic" in out.stdout and "kernels ready" in out.stdout
    assert any("stochastic" in p.name for p in (tmp_path / "cache").rglob("*.nbi"))


def test_warm_refuses_an_unknown_group(capsys: pytest.CaptureFixture[str]) -> None:
    from seguro_desempleo.cli import main

    assert main(["warm", "--only", "everything"]) == 2
    err = capsys.readouterr().err.strip()
    assert "unknown group 'everything'" in err and "simulation" in err and "\n" not in err
