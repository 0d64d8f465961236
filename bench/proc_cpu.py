"""CPU seconds of a process tree, read from Linux ``/proc`` (shared by the bench scripts).

A server's work is spread over processes that come and go: PostgreSQL forks a backend per
connection, parallel and autovacuum workers; uvicorn forks its workers. :func:`tree_cpu_s` counts
each live process of the tree (user + system) and, through ``cutime``/``cstime``, every process
its members have already reaped, so a closed connection's CPU stays counted. Two readings
subtracted give the tree's CPU between them.
"""

from __future__ import annotations

import os


def _stat(pid: str) -> tuple[int, float] | None:
    """(parent pid, utime + stime + cutime + cstime in seconds) of *pid*, or ``None`` if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    # Field 2, the command, is in parentheses and may hold spaces: split after its last ')'.
    fields = stat.rpartition(")")[2].split()   # from field 3 (state): ppid is field 4, times 14-17
    return int(fields[1]), sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def tree_cpu_s(pid: int | None) -> float | None:
    """CPU seconds spent so far by *pid*, its live descendants and the children they reaped;
    ``None`` where there is no ``/proc`` or no such process."""
    if pid is None:
        return None
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return None
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for entry in entries:
        st = _stat(entry)
        if st is not None:
            children.setdefault(st[0], []).append(int(entry))
            cpu[int(entry)] = st[1]
    if pid not in cpu:
        return None
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += cpu.get(p, 0.0)
        todo += children.get(p, [])
    return total


def pgserver_pid(server: object) -> int | None:
    """The postmaster's pid of a ``pgserver`` cluster, read from its data directory's
    ``postmaster.pid`` (pgserver's own ``get_pid`` keeps the pid it started with, which a
    ``pg_ctl restart`` makes stale); ``None`` if there is no such file."""
    try:
        pgdata = server.pgdata  # type: ignore[attr-defined]
        with open(f"{pgdata}/postmaster.pid") as f:
            return int(f.readline())
    except (AttributeError, OSError, ValueError):
        return None


def delta(before: float | None, after: float | None) -> float | None:
    """*after* − *before*, or ``None`` if either reading is missing."""
    return None if before is None or after is None else after - before
