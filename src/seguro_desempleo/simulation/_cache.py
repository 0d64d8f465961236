"""Where numba keeps its compiled kernels, whether they are there, and compiling them ahead (issue 29).

The compiled engine (``_kernel.py``) costs 25-50 s to compile the first time; numba then caches the
machine code (``cache=True``). Three things can go wrong on a fresh or an old install, and each is handled
here:

- **Where.** Numba's default is ``__pycache__`` next to the source, i.e. inside the installed package
  (read-only in a system or container install, and shared by every user of a shared one). Unless the user
  chose ``NUMBA_CACHE_DIR``, :func:`ensure_cache_dir` (called by ``seguro_desempleo/__init__.py``, before any
  module imports numba) points it at a per-user cache, ``platformdirs.user_cache_dir("seguro-desempleo")/numba``
  (``~/.cache/seguro-desempleo/numba`` on Linux, honouring ``XDG_CACHE_HOME``), else a per-user temporary
  directory. Cache files are never written into the package directory.
- **Stale or corrupt.** Numba ignores an index whose source stamp or numba version differs (stale) but
  raises on a truncated or garbled index or data file. :func:`harden_numba_cache` (installed by
  :func:`ensure_cache_dir`, applied when numba's ``caching`` module loads) makes any failure to read the
  cache a cache miss: the kernel compiles again and the entry is rewritten.
- **Cold.** :func:`kernels_cached` says whether the engine's kernels are in the cache for the current
  source; the runner's ``auto`` engine uses the numpy reference engine (same results, tested) for small runs
  while the cache is cold, and the CLI compiles the kernels in a background process for next time.
  ``seguro-desempleo warm`` (``cli/warm.py``) compiles every kernel ahead (the README's demo command and
  ``.ci/run`` run it), so a first run after installing is a warm run.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parents[1]
"""The installed ``seguro_desempleo`` package: no cache file is ever written under it."""
APP_NAME = "seguro-desempleo"


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
    """The per-user cache (platformdirs), then a per-user temporary directory."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    tmp = Path(tempfile.gettempdir()) / f"{APP_NAME}-numba-{uid}"
    try:
        import platformdirs

        user = Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "numba"
    except Exception:  # platformdirs missing or no home directory
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        user = Path(base) / APP_NAME / "numba"
    return [user, tmp]


def ensure_cache_dir(package_dir: Path = PACKAGE_DIR) -> str | None:
    """Point NUMBA_CACHE_DIR at a writable per-user directory (never the package directory) unless the user
    chose one, and make a corrupt cache a miss (:func:`harden_numba_cache`).

    Returns the directory chosen, or None when nothing had to change (the user's choice, or no writable
    candidate: then numba falls back to its own locators)."""
    install_cache_guard()
    if os.environ.get("NUMBA_CACHE_DIR"):
        return None
    for cand in candidate_dirs():
        if package_dir in cand.parents or cand == package_dir:
            continue
        if _writable(cand):
            os.environ["NUMBA_CACHE_DIR"] = str(cand)
            if "numba.core.config" in sys.modules:  # already imported: make it read the variable again
                from numba.core import config

                config.reload_config()
            return str(cand)
    return None


# --- a stale or corrupt cache is a miss, never an error ------------------------------------------------

def _discard(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def harden_numba_cache(caching: ModuleType) -> bool:
    """Wrap numba's cache reads (``numba.core.caching``) so that a truncated, garbled or unreadable index or
    data file is a cache miss (numba compiles and rewrites it) instead of an exception. Returns True when
    the wrappers are in place (False if numba's private classes moved: then numba behaves as shipped)."""
    index_cls: Any = getattr(caching, "IndexDataCacheFile", None)
    cache_cls: Any = getattr(caching, "Cache", None)
    if index_cls is None or cache_cls is None or not all(
            hasattr(c, m) for c, m in ((index_cls, "_load_index"), (index_cls, "load"), (cache_cls, "load_overload"))):
        return False
    if getattr(index_cls, "_seguro_hardened", False):
        return True
    load_index, load, load_overload = index_cls._load_index, index_cls.load, cache_cls.load_overload

    def _load_index(self: Any) -> Any:
        try:
            return load_index(self)
        except Exception:  # a garbled index: forget it, numba writes a new one after compiling
            _discard(self._index_path)
            return {}

    def _load(self: Any, key: Any) -> Any:
        try:
            return load(self, key)
        except Exception:  # a truncated or garbled data file: compile; saving overwrites it
            return None

    def _load_overload(self: Any, sig: Any, target_context: Any) -> Any:
        try:
            return load_overload(self, sig, target_context)
        except Exception:  # data that unpickles but does not rebuild (another numba/llvm build)
            return None

    index_cls._load_index, index_cls.load, cache_cls.load_overload = _load_index, _load, _load_overload
    index_cls._seguro_hardened = True
    return True


class _CachingHook(importlib.abc.MetaPathFinder):
    """Applies :func:`harden_numba_cache` as soon as ``numba.core.caching`` is imported (without importing
    numba ourselves: commands that never compile do not pay for it)."""

    target = "numba.core.caching"

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.target:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        exec_module = loader.exec_module

        def _exec_module(module: ModuleType) -> None:
            exec_module(module)
            harden_numba_cache(module)

        loader.exec_module = _exec_module  # type: ignore[method-assign]
        return spec


def install_cache_guard() -> None:
    """Harden numba's cache now if it is loaded, else when it loads (idempotent)."""
    loaded = sys.modules.get(_CachingHook.target)
    if loaded is not None:
        harden_numba_cache(loaded)
        return
    if not any(isinstance(f, _CachingHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _CachingHook())


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
