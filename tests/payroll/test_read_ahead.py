"""The import's read-ahead (services.payroll_import._read_ahead): order, errors, early exit, and
large files read in their turn only."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from seguro_desempleo.errors import InputError
from seguro_desempleo.services import payroll_import
from seguro_desempleo.services.payroll_import import _read_ahead, identity_key


def make(tmp_path: Path, names: list[str]) -> list[str]:
    out = []
    for i, n in enumerate(names):
        p = tmp_path / n
        p.write_bytes(f"line {i}\n".encode())
        out.append(str(p))
    return out


def test_order_content_and_keys_with_small_and_large_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(payroll_import, "READ_BATCH", 3)
    names = [f"0601202503{n:011d}.rem" for n in range(7)] + ["a.csv"] + [f"0601202504{n:011d}.rem" for n in range(5)]
    paths = make(tmp_path, names)
    got = list(_read_ahead(paths))
    assert [g[0] for g in got] == paths
    for path, data, key in got:
        assert data == Path(path).read_bytes() and key == identity_key(path, data)


def test_unreadable_file_names_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(payroll_import, "READ_BATCH", 2)
    paths = make(tmp_path, [f"0601202503{n:011d}.rem" for n in range(6)])
    paths.insert(3, str(tmp_path / "0601202503missing0000.rem"))
    gen = _read_ahead(paths)
    assert [next(gen)[0] for _ in range(3)] == paths[:3]
    with pytest.raises(InputError, match="cannot read") as err:
        next(gen)
    assert "missing" in str(err.value)


def test_early_exit_cancels_the_reads_not_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(payroll_import, "READ_BATCH", 2)
    paths = make(tmp_path, [f"0601202503{n:011d}.rem" for n in range(60)])
    reads = 0
    lock = threading.Lock()
    real = payroll_import._read

    def counting(path: str) -> bytes:
        nonlocal reads
        with lock:
            reads += 1
        return real(path)

    monkeypatch.setattr(payroll_import, "_read", counting)
    gen = _read_ahead(paths, ahead=3)
    next(gen)
    gen.close()
    assert reads <= 2 * (3 + 1)  # the batches queued when it stopped, at most; not the 60 files


def test_large_files_are_not_read_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run of national CSVs: each is read only when the caller reaches it."""
    paths = make(tmp_path, ["a.csv", "b.csv", "c.csv"])
    reads: list[str] = []
    real = payroll_import._read

    def recording(path: str) -> bytes:
        reads.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(payroll_import, "_read", recording)
    gen = _read_ahead(paths)
    next(gen)
    assert reads == ["a.csv"]
    next(gen)
    assert reads == ["a.csv", "b.csv"]
    gen.close()
