"""The import's read-ahead (services.payroll_read.read_ahead), by a thread for a small run and by
a child process for a large one: order, content, keys, errors, early exit, and large files read
in their turn only."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from seguro_desempleo.errors import InputError
from seguro_desempleo.services import payroll_read
from seguro_desempleo.services.payroll_read import FileBatch, identity_key, read_ahead


def files(batches: object) -> list[tuple[str, bytes, str]]:
    """(path, bytes, identity key) of every file of the batches, in order."""
    out = []
    for b in batches:  # type: ignore[attr-defined]
        assert isinstance(b, FileBatch) and len(b.paths) == len(b.keys) == len(b.ends) > 0
        assert b.ends == sorted(b.ends) and b.ends[-1] == len(b.data)
        out += [(p, b.file(i), k) for i, (p, k) in enumerate(zip(b.paths, b.keys, strict=True))]
    return out


def assert_intact(got: list[tuple[str, bytes, str]], paths: list[str]) -> None:
    """Every file came back in the order given, with its bytes and its identity key."""
    assert [p for p, _, _ in got] == paths
    for path, data, key in got:
        assert data == Path(path).read_bytes() and key == identity_key(path, data)


def make(tmp_path: Path, names: list[str]) -> list[str]:
    out = []
    for i, n in enumerate(names):
        p = tmp_path / n
        p.write_bytes(f"line {i}\n".encode())
        out.append(str(p))
    return out


@pytest.fixture(params=["thread", "process"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of reading ahead: a thread (small runs) and a child process (from PROCESS_MIN_FILES)."""
    monkeypatch.setattr(payroll_read, "PROCESS_MIN_FILES", 10**9 if request.param == "thread" else 1)
    return str(request.param)


def test_order_content_and_keys_with_small_and_large_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          reader: str) -> None:
    monkeypatch.setattr(payroll_read, "READ_BATCH", 3)
    names = [f"0601202503{n:011d}.rem" for n in range(7)] + ["a.csv"] + [f"0601202504{n:011d}.rem" for n in range(5)]
    paths = make(tmp_path, names)
    batches = list(read_ahead(paths))
    assert [b.paths for b in batches] == [paths[0:3], paths[3:6], paths[6:7], paths[7:8], paths[8:11], paths[11:13]]
    got = files(batches)
    assert [g[0] for g in got] == paths
    for path, data, key in got:
        assert data == Path(path).read_bytes() and key == identity_key(path, data)


def test_unreadable_file_names_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str) -> None:
    monkeypatch.setattr(payroll_read, "READ_BATCH", 2)
    paths = make(tmp_path, [f"0601202503{n:011d}.rem" for n in range(6)])
    paths.insert(3, str(tmp_path / "0601202503missing0000.rem"))
    gen = read_ahead(paths)
    assert next(gen).paths == paths[:2]
    assert next(gen).paths == paths[2:3]  # the files read before the missing one come first
    with pytest.raises(InputError, match="cannot read") as err:
        next(gen)
    assert "missing" in str(err.value)


def test_early_exit_cancels_the_reads_not_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(payroll_read, "PROCESS_MIN_FILES", 10**9)
    monkeypatch.setattr(payroll_read, "READ_BATCH", 2)
    paths = make(tmp_path, [f"0601202503{n:011d}.rem" for n in range(60)])
    reads = 0
    lock = threading.Lock()
    real = payroll_read.read_file

    def counting(path: str) -> bytes:
        nonlocal reads
        with lock:
            reads += 1
        return real(path)

    monkeypatch.setattr(payroll_read, "read_file", counting)
    gen = read_ahead(paths, ahead=3)
    next(gen)
    gen.close()
    assert reads <= 2 * (3 + 1)  # the batches queued when it stopped, at most; not the 60 files


def test_large_files_are_notread_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run of national CSVs: each is read only when the caller reaches it."""
    paths = make(tmp_path, ["a.csv", "b.csv", "c.csv"])
    reads: list[str] = []
    real = payroll_read.read_file

    def recording(path: str) -> bytes:
        reads.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(payroll_read, "read_file", recording)
    gen = read_ahead(paths)
    next(gen)
    assert reads == ["a.csv"]
    next(gen)
    assert reads == ["a.csv", "b.csv"]
    gen.close()


def test_the_child_process_reads_ahead_and_is_stopped_on_early_exit(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A large run is read by a child process, which an early exit kills (no process left behind)."""
    monkeypatch.setattr(payroll_read, "READ_BATCH", 2)
    monkeypatch.setattr(payroll_read, "PROCESS_MIN_FILES", 4)
    started: list[payroll_read._ChildReader] = []
    real_init = payroll_read._ChildReader.__init__

    def recording(self: payroll_read._ChildReader, batches: list[list[str]]) -> None:
        real_init(self, batches)
        started.append(self)

    monkeypatch.setattr(payroll_read._ChildReader, "__init__", recording)
    paths = make(tmp_path, [f"0601202503{n:011d}.rem" for n in range(40)])
    gen = read_ahead(paths)
    first = next(gen)
    assert first.paths == paths[:2] and first.file(0) == Path(paths[0]).read_bytes()
    assert len(started) == payroll_read.READERS
    procs = [r._proc for r in started]
    gen.close()
    assert all(proc.poll() is not None for proc in procs)  # killed and reaped
    # Below the threshold no process is started.
    monkeypatch.setattr(payroll_read, "PROCESS_MIN_FILES", 41)
    assert [p for p, _, _ in files(read_ahead(paths))] == paths
    assert len(started) == payroll_read.READERS


@pytest.mark.parametrize("readers", [1, 2, 3])
@pytest.mark.parametrize("n_files", [1, 5, 11])
def test_several_children_hand_the_batches_over_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        readers: int, n_files: int) -> None:
    """Batch i is read by child i mod READERS; the files still come back in the order given, with
    their bytes and keys, whether there are fewer batches than children or not."""
    monkeypatch.setattr(payroll_read, "READ_BATCH", 2)
    monkeypatch.setattr(payroll_read, "PROCESS_MIN_FILES", 1)
    monkeypatch.setattr(payroll_read, "READERS", readers)
    paths = make(tmp_path, [f"0601202503{n:011d}.rem" for n in range(n_files)])
    got = files(read_ahead(paths))
    assert_intact(got, paths)


def test_an_unreadable_file_in_a_later_child_stops_at_its_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With several children, the files before an unreadable one are handed over, then its name."""
    monkeypatch.setattr(payroll_read, "READ_BATCH", 2)
    monkeypatch.setattr(payroll_read, "PROCESS_MIN_FILES", 1)
    monkeypatch.setattr(payroll_read, "READERS", 3)
    paths = make(tmp_path, [f"0601202503{n:011d}.rem" for n in range(9)])
    Path(paths[5]).unlink()  # batch 2 (files 4, 5), read by the third child
    seen: list[str] = []
    with pytest.raises(InputError, match="cannot read") as err:
        for batch in read_ahead(paths):
            seen += batch.paths
    assert seen == paths[:5] and err.value.where == paths[5]


def test_a_child_that_dies_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A child that stops before sending every batch (here: one that exits at once with code 1)
    stops the import with a clear error, not with fewer files than asked."""
    import sys

    monkeypatch.setattr(payroll_read, "READ_BATCH", 2)
    monkeypatch.setattr(payroll_read, "PROCESS_MIN_FILES", 1)
    monkeypatch.setattr(sys, "executable", "/bin/false")
    paths = make(tmp_path, [f"0601202503{n:011d}.rem" for n in range(6)])
    with pytest.raises(RuntimeError, match=r"file-reading process stopped \(exit code 1\)"):
        list(read_ahead(paths))


def test_the_reader_keeps_no_reference_to_a_file_it_handed_over(tmp_path: Path) -> None:
    """A national CSV is hundreds of MB: once handed over, only the caller may hold its bytes
    (a generator's local kept them alive through the whole parse: 230 MB more at the peak)."""
    import sys

    paths = make(tmp_path, ["a.csv", "b.csv"])
    gen = read_ahead(paths)
    data = next(gen).data
    assert sys.getrefcount(data) == 2  # *data* and getrefcount's argument
    gen.close()


def test_closing_never_hangs_when_the_child_stops_with_a_full_queue(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The child dies (e.g. Ctrl-C reaches it) while the queue is full and the caller has stopped
    taking batches: closing returns at once instead of waiting for a thread stuck on the queue."""
    import threading

    monkeypatch.setattr(payroll_read, "READ_BATCH", 1)
    monkeypatch.setattr(payroll_read, "CHILD_AHEAD", 1)
    paths = make(tmp_path, [f"0601202503{n:011d}.rem" for n in range(50)])
    reader = payroll_read._ChildReader([[p] for p in paths])
    reader.next()
    import time

    time.sleep(0.3)  # the queue fills, the child blocks on the pipe
    reader._proc.kill()
    done = threading.Event()

    def stop() -> None:
        reader.close()
        done.set()

    threading.Thread(target=stop, daemon=True).start()
    assert done.wait(10), "close() hung"


def test_the_child_ignores_a_package_of_the_same_name_in_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "cwd" / "seguro_desempleo"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise SystemExit(3)\n")
    monkeypatch.chdir(tmp_path / "cwd")
    monkeypatch.setattr(payroll_read, "READ_BATCH", 2)
    monkeypatch.setattr(payroll_read, "PROCESS_MIN_FILES", 1)
    paths = make(tmp_path, [f"0601202503{n:011d}.rem" for n in range(5)])
    assert [p for p, _, _ in files(read_ahead(paths))] == paths


@pytest.mark.parametrize("size", [0, 1, payroll_read.SMALL_READ - 1, payroll_read.SMALL_READ,
                                  payroll_read.SMALL_READ + 1, 2 * payroll_read.SMALL_READ, 3_000_001])
def test_read_file_returns_every_byte_whatever_the_size(tmp_path: Path, size: int) -> None:
    data = bytes(i * 7 % 251 for i in range(size))
    p = tmp_path / "f.rem"
    p.write_bytes(data)
    assert payroll_read.read_file(str(p)) == data


def test_read_file_reads_a_pipe_to_its_end(tmp_path: Path) -> None:
    """A short read is not the end of a pipe (``payroll import <(…)``): its end is an empty read."""
    fifo = tmp_path / "in.rem"
    os.mkfifo(fifo)
    data = b"01|45678912|0121|1000.00|1000.00|\n" * 9000  # more than one read and than a pipe holds

    def writer() -> None:
        with open(fifo, "wb", buffering=0) as f:
            for i in range(0, len(data), 1000):
                f.write(data[i:i + 1000])

    t = threading.Thread(target=writer)
    t.start()
    try:
        assert payroll_read.read_file(str(fifo)) == data
    finally:
        t.join()


def test_identity_keys_are_the_documented_hashes() -> None:
    """The key format is what import_file holds: a database imported before must still recognise
    its files (same kind, name facts and content: same key)."""
    data = b"01|45678912|0121|1000.00|1000.00|\n"

    def sha(head: bytes) -> str:
        return hashlib.sha256(head + data).hexdigest()

    assert identity_key("/x/060120250320100070970.rem", data) == sha(b"rem|20100070970|2025-03|")
    assert identity_key("/x/060120250320100070970.REM", data) == sha(b"rem|20100070970|2025-03|")
    assert identity_key("0601202503201000709.rem", data) == sha(b"rem|?0601202503201000709.rem|")
    assert identity_key("/x/RP_20100070970.per", data) == sha(b"per|20100070970|")
    assert identity_key("/x/periodos.per", data) == sha(b"per|?periodos.per|")
    assert identity_key("/x/national.CSV", data) == sha(b"csv|")
    assert identity_key("/x/notes.txt", data) == sha(b"unknown|")


def test_write_all_writes_every_byte_when_the_pipe_takes_part_of_each_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """A write to a pipe may return having written only part (a stop signal, Ctrl-Z): the rest is
    written again from where it stopped, in order."""
    real_write = os.write
    calls = []

    data = os.urandom(100_000)
    r, w = os.pipe()

    def short_write(fd: int, data: memoryview) -> int:  # os.write is global: only our pipe's writes are cut
        if fd != w:
            return real_write(fd, data)
        calls.append(len(data))
        return real_write(fd, data[:777])

    got = bytearray()

    def drain() -> None:
        while block := os.read(r, 65536):
            got.extend(block)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    monkeypatch.setattr(payroll_read.os, "write", short_write)
    payroll_read.write_all(w, data)
    monkeypatch.undo()
    os.close(w)
    reader.join(10)
    os.close(r)
    assert bytes(got) == data and len(calls) == -(-len(data) // 777)


def _reader_children() -> list[int]:
    """The pids of this process's children that run the file-reading module (Linux /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid() and b"payroll_read" in cmd:
            pids.append(int(entry.name))
    return pids


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_reader_children_stopped_and_continued_mid_batch_lose_nothing(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-Z then ``fg`` (or a profiler attaching) stops the children while they write a batch to
    a full pipe: every file still comes back whole and in order. Through Python's buffered
    writer, such a stop lost the rest of the batch and the parent failed to unpickle the next."""
    import signal
    import time

    monkeypatch.setattr(payroll_read, "READ_BATCH", 2)
    monkeypatch.setattr(payroll_read, "PROCESS_MIN_FILES", 1)
    monkeypatch.setattr(payroll_read, "CHILD_AHEAD", 1)  # the children wait on full pipes
    paths = []
    for n in range(60):
        p = tmp_path / f"0601202503{n:011d}.rem"
        p.write_bytes(os.urandom(150_000))  # batches of 300 kB: several pipe-fulls each
        paths.append(str(p))
    stop = threading.Event()
    signalled = []

    def stop_and_continue() -> None:
        while not stop.is_set():
            for pid in _reader_children():
                try:
                    os.kill(pid, signal.SIGSTOP)
                    time.sleep(0.002)
                    os.kill(pid, signal.SIGCONT)
                    signalled.append(pid)
                except ProcessLookupError:
                    pass
            time.sleep(0.001)

    pests = threading.Thread(target=stop_and_continue, daemon=True)
    pests.start()
    try:
        got = []
        for batch in read_ahead(paths):
            time.sleep(0.01)  # a slow parser: the children block on their pipes meanwhile
            got += files([batch])
    finally:
        stop.set()
        pests.join(10)
    assert len(signalled) > 20
    assert_intact(got, paths)


def test_a_garbled_batch_is_refused_plainly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a batch ever arrive garbled, the import stops with a plain reason, not a pickle error."""
    monkeypatch.setattr(payroll_read, "READ_BATCH", 2)
    monkeypatch.setattr(payroll_read, "PROCESS_MIN_FILES", 1)
    import pickle
    from types import SimpleNamespace

    # The module's pickle only (the process's own stays whole): every batch loses its last bytes.
    monkeypatch.setattr(payroll_read, "pickle", SimpleNamespace(
        dumps=pickle.dumps, HIGHEST_PROTOCOL=pickle.HIGHEST_PROTOCOL,
        loads=lambda blob: pickle.loads(bytes(blob)[:-3])))
    paths = make(tmp_path, [f"0601202503{n:011d}.rem" for n in range(4)])
    with pytest.raises(RuntimeError, match="garbled batch"):
        list(read_ahead(paths))
