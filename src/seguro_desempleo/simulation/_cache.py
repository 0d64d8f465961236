"""Where numba keeps its compiled kernels, and whether they are there (the cold start of issue 29).

The compiled engine (``_kernel.py``) costs 25-50 s to compile the first time; numba then caches the
machine code (``cache=True``) next to the source, in ``__pycache__``. Two things can go wrong on a fresh
install: the package directory is read-only (a system or container install), or the cache is simply empty.

- :func:`ensure_cache_dir` (called before numba is imported) sets ``NUMBA_CACHE_DIR`` to a writable
  directory when the package directory is not writable and the user did not choose one:
  ``$XDG_CACHE_HOME/seguro-desempleo/numba`` (``~/.cache/...``), else ``<tmp>/seguro-desempleo-numba-<uid>``.
- :func:`kernels_cached` says whether the engine's kernels are in the cache for the current source (the
  index numba wrote matches the source file's stamp); the runner's ``auto`` engine uses the numpy
  reference engine (same results, tested) for small runs while the cache is cold, so the first run is not
  25-50 s slower than the next, and the CLI compiles the kernels in a background process for next time.
- :func:`warm_up` compiles and caches the kernels (what the CLI runs in the background).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        return True
    except OSError:
        return False


def candidate_dirs() -> list[Path]:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return [Path(base) / "seguro-desempleo" / "numba", Path(tempfile.gettempdir()) / f"seguro-desempleo-numba-{uid}"]


def ensure_cache_dir(package_dir: Path = PACKAGE_DIR) -> str | None:
    """Set NUMBA_CACHE_DIR to a writable place if numba could not write next to the package.

    Returns the directory chosen, or None when nothing had to change."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return None
    if _writable(package_dir / "__pycache__"):
        return None
    for cand in candidate_dirs():
        if _writable(cand):
            os.environ["NUMBA_CACHE_DIR"] = str(cand)
            if "numba" in sys.modules:  # already imported: make it read the variable again
                from numba.core import config

                config.reload_config()
            return str(cand)
    return None


def _dispatcher_cached(dispatcher: object) -> bool:
    try:
        cache = dispatcher._cache  # type: ignore[attr-defined]
        return bool(cache._cache_file._load_index())
    except Exception:  # private numba API: if it moves, assume cold (the safe choice)
        return False


def kernels_cached() -> bool:
    """True when the compiled engine's kernels are cached for the current source."""
    try:
        from seguro_desempleo.simulation import _kernel
    except ImportError:  # pragma: no cover - numba missing
        return False
    return all(_dispatcher_cached(k) for k in (_kernel.run_kernel, _kernel.generate_kernel))


def warm_up() -> None:
    """Compile (and cache) the kernels with a tiny run."""
    from seguro_desempleo.simulation.runner import RunSpec, run

    run(RunSpec(persons=64, months=2, burn_in=1, engine="fast"))


WARM_UP_CODE = "from seguro_desempleo.simulation._cache import warm_up_locked; warm_up_locked()"
LOCK_MAX_AGE = 600.0
"""A warm-up lock older than this (seconds) is taken to be left by a process that died."""


def lock_path() -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"seguro-desempleo-warmup-{uid}.lock"


def warm_up_locked() -> None:
    """The background warm-up: compile, then release the lock taken by :func:`spawn_warm_up`."""
    try:
        warm_up()
    finally:
        lock_path().unlink(missing_ok=True)


def spawn_warm_up() -> bool:
    """Compile the kernels in a detached background process (the CLI does this after a cold run); at most
    one at a time (a lock file), never with ``SEGURO_NO_WARMUP`` set."""
    import subprocess
    import time

    if os.environ.get("SEGURO_NO_WARMUP"):
        return False
    lock = lock_path()
    try:
        if lock.exists() and time.time() - lock.stat().st_mtime < LOCK_MAX_AGE:
            return False
        lock.unlink(missing_ok=True)
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        os.close(fd)
    except OSError:
        return False
    try:
        subprocess.Popen([sys.executable, "-c", WARM_UP_CODE], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        lock.unlink(missing_ok=True)
        return False
    return True
