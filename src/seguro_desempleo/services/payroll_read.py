"""Reading the files of a payroll import ahead of the parser: each file's bytes and identity key.

A national month is 300,000 small PLAME ``.rem`` files: four system calls each (open, read, a
read that finds the end, close), 3–6 s of a core. In a thread of the importing process those
calls fight the parser for the GIL (each one gives it up and waits to get it back), and the
parser waited 6 s for them. A run of many small files is therefore read by child processes
(:data:`READERS` of :class:`_ChildReader`, each every READERS-th batch: this module run with
``python -m``, importing nothing but the standard library and
:mod:`seguro_desempleo.domain.file_names`), which send the batches back through pipes, handed
over in order; a small run (a few files from the web page or the API) is read by one thread,
with no process to start. Large files (a national CSV is hundreds of MB) are read when their
turn comes, in the importing process, so the memory in flight stays bounded either way.

Files come back as batches (:class:`FileBatch`): the paths, the identity keys, and the bytes of
the files one after another in one buffer with the offset where each ends. A batch of 1,000 files
crosses the pipe as four objects instead of 3,000, and the parser joins buffers instead of files.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import queue
import stat
import struct
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Generator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, NamedTuple, NoReturn

from seguro_desempleo.domain.file_names import PER_NAME_RE, REM_NAME_RE
from seguro_desempleo.errors import InputError

KINDS = {".rem": "rem", ".per": "per", ".csv": "csv", ".parquet": "parquet", ".snl": "snl", ".jor": "jor",
         ".tra": "tra"}
"""File kinds the import reads (issue 31 added PLAME's ``.snl``/``.jor`` and T-Registro's ``.tra``;
the other structures' files are skipped with a notice: ``formats.plame_other.SKIPPED_EXTENSIONS``)."""

READ_BATCH = 1000
"""Small files read and hashed per batch."""

PROCESS_MIN_FILES = 5 * READ_BATCH
"""From this many small files on, they are read by child processes instead of a thread."""

CHILD_AHEAD = 64
"""Batches each child process may read ahead of the parser (a national month's are ~450 kB each:
~30 MB, more than one parsing chunk)."""

READERS = max(2, min(4, os.cpu_count() or 2))
"""Child processes reading a large run, each every READERS-th batch (two on a 2-core machine).
One child was the import's slowest stage on PostgreSQL: the parser waited 12–14 s of a national
month for it while a core was idle a third of the time (the file system calls cost twice the CPU
when the other core is busy); with two, the import took 23–24 s instead of 27–33 s."""


class FileBatch(NamedTuple):
    """Files read one after another: their paths, their identity keys (:func:`identity_key`) and
    their bytes joined in one buffer, each file ending at its offset in ``ends``."""

    paths: list[str]
    keys: list[str]
    data: bytes
    ends: list[int]

    def split(self, n: int) -> tuple[FileBatch, FileBatch]:
        """The first *n* files and the others, as two batches (their bytes copied apart)."""
        cut = self.ends[n - 1]
        return (FileBatch(self.paths[:n], self.keys[:n], self.data[:cut], self.ends[:n]),
                FileBatch(self.paths[n:], self.keys[n:], self.data[cut:], [e - cut for e in self.ends[n:]]))

    def file(self, i: int) -> bytes:
        """The bytes of the *i*-th file (the whole buffer, not a copy, for a batch of one)."""
        start = self.ends[i - 1] if i else 0
        if start == 0 and self.ends[i] == len(self.data):
            return self.data
        return self.data[start:self.ends[i]]


Failure = tuple[str, OSError] | None           # the path that could not be read, and why


def identity_key(path: str, data: bytes) -> str:
    """The SHA-256 that makes an import idempotent: file kind, what the name says, and the content.

    A PLAME ``.rem`` file's RUC and month come from its name, so an employer whose month M+1 is
    byte-identical to month M (same workers, same pay) is a new declaration, not a repeat: the key
    is the hash of ``rem|<RUC>|<month>|`` followed by the bytes. A ``.per`` file's key includes the
    RUC of its name; a CSV/Parquet file carries RUC and month in its rows, so its key is the kind
    and the content. The same file imported twice has the same key ("already imported").
    """
    base = os.path.basename(path)
    m = REM_NAME_RE.match(base)
    if m is not None:  # a well-named PLAME file (300,000 a month): its kind needs no other look
        year, month, ruc = m.groups()
        h = hashlib.sha256(f"rem|{ruc}|{year}-{month}|".encode())
        h.update(data)
        return h.hexdigest()
    kind = KINDS.get(os.path.splitext(base)[1].lower(), "unknown")
    head = kind
    if kind == "rem":
        head = f"rem|?{base}"  # not a PLAME name (the import rejects it, with the reason)
    elif kind == "per":
        pm = PER_NAME_RE.match(base)
        head = f"per|{pm.group(1)}" if pm else f"per|?{base}"
    elif kind in ("snl", "jor", "tra"):  # the RUC (and month) of the name: part of the key
        head = f"{kind}|{base.upper()}"
    h = hashlib.sha256(head.encode("utf-8") + b"|")
    h.update(data)
    return h.hexdigest()


SMALL_READ = 1 << 16
"""Bytes asked for by a file's first read: a PLAME file (~0.5 kB) comes whole in one call."""


def read_file(path: str) -> bytes:
    """The bytes of a file (os-level calls: 300,000 small files per national month).

    A small file takes three calls and a read that finds its end (no ``fstat``: its result object
    cost a third of the time of reading a PLAME file). A larger regular file is read again from its
    start in one call of its size, so that a national CSV is never held twice; a pipe is read
    to its end in pieces.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.read(fd, SMALL_READ)
        if not data:
            return data
        more = os.read(fd, SMALL_READ)
        if not more:
            return data
        st = os.fstat(fd)
        if stat.S_ISREG(st.st_mode):
            os.lseek(fd, 0, os.SEEK_SET)
            data = os.read(fd, st.st_size + 1)  # one read for a regular file; the loop if it grew
            parts = [data]
        else:
            parts = [data, more]
        while chunk := os.read(fd, 1 << 20):
            parts.append(chunk)
        return parts[0] if len(parts) == 1 else b"".join(parts)
    finally:
        os.close(fd)


def read_batch(paths: list[str]) -> tuple[FileBatch, Failure]:
    """The files of *paths* read and hashed, up to the first that cannot be read (returned apart)."""
    done: list[str] = []
    keys: list[str] = []
    datas: list[bytes] = []
    ends: list[int] = []
    end = 0
    failure: Failure = None
    for path in paths:
        try:
            data = read_file(path)
        except OSError as exc:
            failure = (path, exc)
            break
        done.append(path)
        keys.append(identity_key(path, data))
        datas.append(data)
        end += len(data)
        ends.append(end)
    joined = datas[0] if len(datas) == 1 else b"".join(datas)  # a national CSV is not copied
    del datas
    return FileBatch(done, keys, joined, ends), failure


def read_ahead(paths: list[str], ahead: int = 4) -> Generator[FileBatch, None, None]:
    """The files of *paths* in order, in batches (:class:`FileBatch`): runs of small files (PLAME
    ``.rem``) of up to :data:`READ_BATCH`, read and hashed a few batches ahead of the caller, and
    every other file alone, read in its turn. An unreadable file stops the import with its name
    (after the batch of the files read before it); leaving early stops the reads not done."""
    batches: list[tuple[bool, list[str]]] = []  # (read ahead?, paths)
    for path in paths:
        small = path.lower().endswith(".rem")
        if small and batches and batches[-1][0] and len(batches[-1][1]) < READ_BATCH:
            batches[-1][1].append(path)
        else:
            batches.append((small, [path]))
    small_batches = [b for small, b in batches if small]
    reader: _ChildReaders | _ThreadReader
    if sum(len(b) for b in small_batches) >= PROCESS_MIN_FILES:
        reader = _ChildReaders(small_batches)
    else:
        reader = _ThreadReader(small_batches, ahead)
    try:
        for small, names in batches:
            result = reader.next() if small else read_batch(names)  # a large file: read in its turn
            failure = result[1]
            held = [result[0]]
            del result
            if held[0].paths:
                yield held.pop()  # no local name kept: a national CSV's bytes are the caller's alone
            if failure is not None:
                path, exc = failure
                raise InputError(f"cannot read: {exc.strerror}", where=path) from None
    finally:  # an error or an early exit: the reads not started are dropped, not waited for
        reader.close()


class _ThreadReader:
    """The small batches read by one thread, *ahead* batches ahead (file reads release the GIL,
    and so does the polars work of the chunk being parsed meanwhile)."""

    def __init__(self, batches: list[list[str]], ahead: int) -> None:
        self._todo = deque(batches)
        self._ahead = ahead
        self._inflight: deque[Future[tuple[FileBatch, Failure]]] = deque()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="payroll-read")

    def next(self) -> tuple[FileBatch, Failure]:
        while self._todo and len(self._inflight) < self._ahead:
            self._inflight.append(self._pool.submit(read_batch, self._todo.popleft()))
        return self._inflight.popleft().result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


_LEN = struct.Struct("<Q")


class _ChildReaders:
    """The small batches read by :data:`READERS` child processes (:class:`_ChildReader`), batch
    *i* by child *i* mod READERS, and handed over in their order."""

    def __init__(self, batches: list[list[str]]) -> None:
        self._children: list[_ChildReader] = []
        self._turn = 0
        try:
            n = max(1, min(READERS, len(batches)))
            for k in range(n):
                self._children.append(_ChildReader(batches[k::n]))
        except BaseException:
            self.close()
            raise

    def next(self) -> tuple[FileBatch, Failure]:
        child = self._children[self._turn % len(self._children)]
        self._turn += 1
        return child.next()

    def close(self) -> None:
        with contextlib.ExitStack() as stack:  # every child closed even if one of them fails to
            for child in self._children:
                stack.callback(child.close)


class _ChildReader:
    """The small batches read by a child process (this module run with ``python -P -m``), in order.

    The paths go to the child's stdin as one pickle; each batch comes back on its stdout as a
    length and a pickle. A thread of the parent drains the pipe into a queue of at most
    :data:`CHILD_AHEAD` batches — more than one parsing chunk, so that the child keeps reading
    while the parent parses (a pipe alone holds a few batches, and the child would wait for the
    parent). Closing kills the child.
    """

    def __init__(self, batches: list[list[str]]) -> None:
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])  # the seguro_desempleo the parent runs
        env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
        # -P: the working directory is not put first on the child's path (a stray checkout or a
        # file named like a standard module there would be imported instead).
        self._proc = subprocess.Popen([sys.executable, "-P", "-m", __name__], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, env=env)
        self._out: io.BufferedReader = self._proc.stdout  # type: ignore[assignment]
        self._queue: queue.Queue[bytearray | None] = queue.Queue(maxsize=CHILD_AHEAD)
        self._closing = threading.Event()
        self._left = len(batches)
        self._drain: threading.Thread | None = None
        try:
            payload = pickle.dumps(batches, protocol=pickle.HIGHEST_PROTOCOL)
            stdin: IO[bytes] = self._proc.stdin  # type: ignore[assignment]
            try:
                write_all(stdin.fileno(), _LEN.pack(len(payload)))
                write_all(stdin.fileno(), payload)
                stdin.close()
            except BrokenPipeError:
                self._stopped()
            self._drain = threading.Thread(target=self._drain_pipe, args=(len(batches),),
                                           name="payroll-read-pipe", daemon=True)
            self._drain.start()
        except BaseException:  # a dead child, or an interrupt while the paths were being sent
            self.close()
            raise

    def _drain_pipe(self, n_batches: int) -> None:
        """Move each batch from the pipe to the queue; then, if the child stopped early or this
        thread failed, None. Every put gives way to :meth:`close`."""
        sent = 0
        try:
            for _ in range(n_batches):
                head = self._out.read(_LEN.size)
                if len(head) < _LEN.size:
                    break
                blob = bytearray(_LEN.unpack(head)[0])  # filled in place: no copies of 450 kB per batch
                view = memoryview(blob)
                got = 0
                while got < len(blob) and (n := self._out.readinto(view[got:])):
                    got += n
                del view
                if got < len(blob) or not self._put(blob):
                    break
                sent += 1
        except (OSError, ValueError, MemoryError, OverflowError):  # the pipe closed under us, or a garbled length
            pass
        finally:
            if sent < n_batches:
                self._put(None)

    def _put(self, item: bytearray | None) -> bool:
        while not self._closing.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def next(self) -> tuple[FileBatch, Failure]:
        blob = self._queue.get() if self._left else None
        if blob is None:
            self._stopped()
        self._left -= 1
        try:
            fields, failure = pickle.loads(blob)  # our own child's output
        except Exception as exc:  # never expected (see write_all); said plainly if it happens
            raise RuntimeError("the file-reading process sent a garbled batch; nothing was imported") from exc
        return FileBatch(*fields), failure

    def _stopped(self) -> NoReturn:
        code = self._proc.wait()
        raise RuntimeError(f"the file-reading process stopped (exit code {code})")

    def close(self) -> None:
        self._closing.set()
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        if self._drain is not None:
            self._drain.join()
        for pipe in (self._proc.stdin, self._out):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


def write_all(fd: int, data: bytes) -> None:
    """Write all of *data* to the pipe *fd* with ``os.write``, again from where each write stopped.

    Not through a buffered file object: a write to a full pipe that a stop signal interrupts
    (Ctrl-Z and ``fg``, ``kill -STOP``/``-CONT``, a profiler attaching) returns having written
    only part, and Python 3.11's ``BufferedWriter`` then lost the rest of a 650 kB batch (the
    parent read the next batch's length in its middle and failed to unpickle it).
    """
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _child_main() -> None:
    """The child: read the batches named on stdin, send each back on stdout, in order."""
    inp, out = sys.stdin.buffer, sys.stdout.fileno()
    (n,) = _LEN.unpack(inp.read(_LEN.size))
    batches: list[list[str]] = pickle.loads(inp.read(n))  # our parent's input
    try:
        for names in batches:
            batch, failure = read_batch(names)
            # Plain tuples: this module runs as __main__ here, its classes are not the parent's.
            blob = pickle.dumps((tuple(batch), failure), protocol=pickle.HIGHEST_PROTOCOL)
            del batch
            write_all(out, _LEN.pack(len(blob)))
            write_all(out, blob)
            del blob
    except BrokenPipeError:  # the parent stopped reading (an error or an early exit)
        with contextlib.suppress(OSError):
            os.close(out)


if __name__ == "__main__":
    _child_main()
