"""Benchmark: claim filings with decisions through the REST API on PostgreSQL, and a monthly run.

    .venv/bin/python bench/bench_claims.py [--claims 2000] [--concurrency 8] [--server-workers 2]
                                           [--flow both|two|one] [--beneficiaries 60000]
                                           [--baseline-claims 300] [--skip-api] [--skip-run]

1. **API.** A throwaway PostgreSQL cluster (pgserver), workers with 24 months of declared pay and
   a covered separation seeded in SQL, the API served by uvicorn on 127.0.0.1 (``--server-workers``
   processes), and a load generator on loopback (``--concurrency`` threads, each a raw keep-alive
   HTTP/1.1 connection), as a caseworker, ``--claims`` workers per flow:

   - flow ``two``: ``POST /api/v1/claims``, then ``POST /api/v1/claims/{id}/decision`` (the
     claim filed, then decided the next day: two requests, two transactions);
   - flow ``one``: ``POST /api/v1/claims`` with ``"decide": true`` (filed and decided on the
     claim date in one request and one transaction: the caseworker at the counter).

   Prints, per flow, claims filed and decided per second (target ≥ 300/s for flow `one`, issue 25), the p50/p99 latency
   of the requests (target p99 ≤ 100 ms), the machine's idle share, the CPU per claim of the load
   generator, the server and PostgreSQL, and the ratio to a baseline measured in the same run: the
   filing and the decision called in-process on the service, one after the other (one
   transaction each). Then the audit chain is verified (the outbox drained): one record per
   filing, per decision and per decision act issued (issue 26 item 9: the resolución is an act,
   stored and audited as ``act.decision``).
2. **Monthly payment run** for ``--beneficiaries`` approved or paying claims (target ≤ 10 s), in
   a database of its own on the same server: the bulk run
   (:func:`seguro_desempleo.services.claims_app.bulk_run_payments`) in one transaction, bank file
   included, then the same month again (pays nothing). Baseline in the same run: the one-by-one
   run (:meth:`ClaimService.run_payments`) over a sample, rolled back, scaled up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from proc_cpu import delta, pgserver_pid, tree_cpu_s

SEP = dt.date(2025, 3, 10)
CLAIM_DAY = dt.date(2025, 3, 20)
DECIDE_DAY = dt.date(2025, 3, 21)
RUN_MONTH = 2025 * 12 + 7          # 2025-08


def _pg() -> tuple[Any, str]:
    import pgserver

    base = Path(tempfile.mkdtemp(prefix="bench_claims_pg_"))
    server = pgserver.get_server(str(base), cleanup_mode="delete")
    uri = str(server.get_uri())
    url = sa.engine.make_url(uri.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql("DROP DATABASE IF EXISTS bench")
        c.exec_driver_sql("CREATE DATABASE bench")
    admin.dispose()
    return server, url.set(database="bench").render_as_string(hide_password=False)


def _other_database(url: str, name: str) -> str:
    """A second, empty database on the same server (the monthly run gets its own: it must pay the
    60,000 beneficiaries it seeds, not also the claims the API part approved)."""
    u = sa.engine.make_url(url)
    admin = sa.create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        c.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return u.set(database=name).render_as_string(hide_password=False)


def _seed_history(engine: sa.Engine, workers: int, first_id: int = 1) -> None:
    """Workers ``first_id…`` with 24 months at S/ 3,000 from one large employer, laid off on SEP."""
    from stdnum.pe import ruc as ruc_mod

    body = "2055100001"
    ruc = body + ruc_mod.calc_check_digit(body)
    last = first_id + workers - 1
    with engine.begin() as c:
        if c.execute(sa.text("SELECT count(*) FROM employer")).scalar_one() == 0:
            c.execute(sa.text("INSERT INTO employer (id, ruc, name, size_class, size_source, sector) "
                              "VALUES (1, :r, 'BENCH SAC', 'large', 'declared', 'private')"), {"r": ruc})
            c.execute(sa.text(
                "INSERT INTO declaration (id, employer_id, period, version, status, workers, total_due, "
                "employer_due, cts_due) SELECT p - 24289, 1, p, 1, 'active', 0, 0, 0, 0 "
                "FROM generate_series(24290, 24315) p"))
        c.execute(sa.text("INSERT INTO worker (id, doc_type, doc_number, sex) SELECT g, '01', "
                          "lpad((40000000 + g)::text, 8, '0'), CASE WHEN g % 2 = 0 THEN 'F' ELSE 'M' END "
                          "FROM generate_series(CAST(:a AS integer), CAST(:b AS integer)) g"), {"a": first_id, "b": last})
        c.execute(sa.text(
            "INSERT INTO contribution (declaration_id, worker_id, period, insurable_pay) SELECT p - 24289, g, p, 300000 "
            "FROM generate_series(CAST(:a AS integer), CAST(:b AS integer)) g, generate_series(24290, 24302) p "
            "ORDER BY g, p"),
            {"a": first_id, "b": last})
        c.execute(sa.text(
            "INSERT INTO employment_period (employer_id, worker_id, start_date, end_date, contract_type, "
            "termination_cause) SELECT 1, g, DATE '2020-01-01', :sep, '01', '03' FROM generate_series(CAST(:a AS integer), CAST(:b AS integer)) g"),
            {"a": first_id, "b": last, "sep": SEP})
        # Art. 7: registered with the employment service (Centro de Empleo) the day after the separation.
        c.execute(sa.text(
            "INSERT INTO es_registration (worker_id, registered_on, channel, reference, recorded_by, created_at) "
            "SELECT g, :on, 'centro_empleo', '', 'bench', '2025-03-11T09:00:00-05:00' "
            "FROM generate_series(CAST(:a AS integer), CAST(:b AS integer)) g"),
            {"a": first_id, "b": last, "on": SEP + dt.timedelta(days=1)})


def _server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SEGURO_DB_URL": url, "SEGURO_SECRET": "bench", "SEGURO_DEMO_LOGINS": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "seguro_desempleo.api.app:app_from_env", "--factory",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                             "--no-access-log", "--log-level", "warning"], env=env)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the API server did not start")


def _caseworker_session(url: str, root: str) -> str:
    """Sign in as a caseworker account made for the run (password + TOTP): the demo log-in signs
    in only as a demo database's accounts (decision 0440)."""
    import pyotp

    from seguro_desempleo.bootstrap import accounts_for

    password = "correct horse battery staple"
    new = accounts_for(url).add_user("bench.caseworker", "caseworker", password=password, by="bench")
    assert new.totp_secret is not None
    r = httpx.post(f"{root}/api/v1/auth/login", json={"username": "bench.caseworker", "password": password,
                                                       "code": pyotp.TOTP(new.totp_secret).now()})
    r.raise_for_status()
    return str(r.json()["access_token"])


def _machine_times() -> list[int] | None:
    """The machine's CPU time counters (``/proc/stat``: user nice system idle iowait irq softirq
    steal), or ``None`` where there is no such file."""
    try:
        with open("/proc/stat") as f:
            return [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return None


def _machine_share(before: list[int] | None, after: list[int] | None) -> str:
    """Idle and hypervisor-steal shares of the machine's time between two readings: on a shared
    VM the same code runs at very different speeds when the host takes cores away."""
    if not before or not after:
        return ""
    d = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(d) or 1
    return (f"machine during the run: {100 * (d[3] + d[4]) / total:.0f} % idle, "
            f"{100 * d[7] / total:.0f} % taken by the hypervisor (steal)")


class _Conn:
    """A lean HTTP/1.1 keep-alive client on one socket (the load generator's connection).

    Requests are written in one ``sendall``; the answer is read by its ``Content-Length``. Real HTTP
    on loopback, without httpx's per-request machinery (4.8 ms of client CPU per operation)."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.head = f"Host: {host}:{port}\r\n{extra}Content-Type: application/json\r\n".encode()
        self.buf = b""

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        self.sock.sendall(b"POST %s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n%s"
                          % (path.encode(), self.head, len(body), body))
        buf = self.buf
        while (end := buf.find(b"\r\n\r\n")) < 0:
            buf += self._recv()
        head = buf[:end].decode("latin-1")
        status = int(head[9:12])
        length = 0
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        start = end + 4
        while len(buf) < start + length:
            buf += self._recv()
        self.buf = buf[start + length:]
        return status, buf[start:start + length]

    def _recv(self) -> bytes:
        got = self.sock.recv(65536)
        if not got:
            raise ConnectionError("server closed the connection")
        return got

    def close(self) -> None:
        self.sock.close()


FLOWS = {
    "two": "POST /claims, then POST /claims/{id}/decision (two requests, two transactions)",
    "one": 'POST /claims with "decide": true (one request, one transaction)',
}


def bench_api(url: str, engine: sa.Engine, n_claims: int, concurrency: int, server_workers: int,
              baseline_n: int, pg_pid: int | None = None, flows: tuple[str, ...] = ("two", "one")
              ) -> dict[str, dict[str, float]]:
    from seguro_desempleo.services.claims_app import claims_context
    from seguro_desempleo.storage.uow import SqlUnitOfWork

    _seed_history(engine, baseline_n + n_claims * len(flows))
    # Baseline: the same two calls in-process, one transaction each (as the API makes them).
    t0 = time.perf_counter()
    for w in range(1, baseline_n + 1):
        with SqlUnitOfWork(engine) as uow:
            cid = claims_context(uow).service.file_claim(str(w), CLAIM_DAY, actor="caseworker:-").id
            uow.commit()
        with SqlUnitOfWork(engine) as uow:
            claims_context(uow).service.decide(cid, DECIDE_DAY, actor="caseworker:-")
            uow.commit()
    base_rate = baseline_n / (time.perf_counter() - t0)
    print(f"baseline: the filing and the decision called in-process, one after the other: {base_rate:.0f}/s")

    port = 18000 + os.getpid() % 1000
    proc = _server(url, port, server_workers)
    out: dict[str, dict[str, float]] = {}
    try:
        root = f"http://127.0.0.1:{port}"
        tok = _caseworker_session(url, root)         # an account's session (decision 0440)
        headers = {"Authorization": f"Bearer {tok}"}
        first = baseline_n + 1
        for flow in flows:
            todo = list(range(first, first + n_claims))
            first += n_claims
            out[flow] = _load(flow, todo, port, headers, concurrency, server_workers, base_rate, proc.pid,
                              pg_pid)
    finally:
        proc.terminate()
        proc.wait(30)
    # Every filing and decision is in the hash chain (the outbox drained), and the chain verifies.
    from seguro_desempleo.services.claims_app import verify_audit

    with SqlUnitOfWork(engine) as uow:
        chain = verify_audit(uow)
    print(f"  {chain.one_line()} (expected {3 * (baseline_n + n_claims * len(flows))}: every filing, decision "
          "and issued decision act)")
    return out


def _load(flow: str, todo: list[int], port: int, headers: dict[str, str], concurrency: int,
          server_workers: int, base_rate: float, server_pid: int, pg_pid: int | None) -> dict[str, float]:
    """Run *todo*'s workers through the API with the *flow*'s requests; print and return the figures."""
    todo = list(reversed(todo))
    lock = threading.Lock()
    lat: list[float] = []
    errors: list[str] = []
    approved = 0
    claim_day = CLAIM_DAY.isoformat().encode()
    decide_day = DECIDE_DAY.isoformat().encode()

    def worker() -> None:
        nonlocal approved
        conn = _Conn("127.0.0.1", port, headers)
        mine: list[float] = []
        ok = 0
        try:
            while True:
                with lock:
                    if not todo:
                        break
                    w = todo.pop()
                t1 = time.perf_counter()
                if flow == "one":
                    s1, b1 = conn.post("/api/v1/claims", b'{"worker_id":"%d","claim_date":"%s","decide":true}'
                                       % (w, claim_day))
                    mine.append(time.perf_counter() - t1)
                    if s1 == 201 and b'"state":"approved"' in b1:
                        ok += 1
                    else:
                        errors.append(b1[:200].decode(errors="replace"))
                    continue
                s1, b1 = conn.post("/api/v1/claims", b'{"worker_id":"%d","claim_date":"%s"}' % (w, claim_day))
                t2 = time.perf_counter()
                if s1 != 201:
                    errors.append(b1[:200].decode(errors="replace"))
                    continue
                cid = json.loads(b1)["id"]
                s2, b2 = conn.post(f"/api/v1/claims/{cid}/decision", b'{"date":"%s"}' % decide_day)
                t3 = time.perf_counter()
                mine.extend((t2 - t1, t3 - t2))
                if s2 == 200 and b'"state":"approved"' in b2:
                    ok += 1
                else:
                    errors.append(b2[:200].decode(errors="replace"))
        finally:
            conn.close()
            with lock:
                lat.extend(mine)
                approved += ok

    # Warm-up (connections, caches) is part of the run's first seconds; measure the whole run.
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    srv0, pg0, cl0 = tree_cpu_s(server_pid), tree_cpu_s(pg_pid), time.process_time()
    machine0 = _machine_times()
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    machine = _machine_share(machine0, _machine_times())
    cpu_client = time.process_time() - cl0
    cpu_server = delta(srv0, tree_cpu_s(server_pid)) or 0.0
    cpu_pg = delta(pg0, tree_cpu_s(pg_pid)) or 0.0
    if errors:
        print(f"  {len(errors)} errors, first: {errors[0]}")
    lat.sort()
    rate = approved / elapsed
    p50 = statistics.median(lat) * 1000
    p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))] * 1000
    print(f"API, flow '{flow}': {FLOWS[flow]}")
    print(f"  {approved} claims filed and decided (approved) in {elapsed:.1f} s = {rate:.0f}/s "
          f"(target ≥ 300/s); request latency p50 {p50:.1f} ms, p99 {p99:.1f} ms (target ≤ 100 ms); "
          f"{concurrency} client threads, {server_workers} server processes; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if machine:
        print(f"  {machine}")
    print(f"  API/baseline = {rate / base_rate:.2f}")
    if approved and (cpu_server or cpu_pg):
        per = 1000 / approved
        print(f"  CPU per operation (filing + decision): load generator {cpu_client * per:.1f} ms, API server "
              f"{cpu_server * per:.1f} ms, PostgreSQL {cpu_pg * per:.1f} ms; total "
              f"{(cpu_client + cpu_server + cpu_pg) * per:.1f} ms → at most "
              f"{2000 / ((cpu_client + cpu_server + cpu_pg) * per):.0f}/s on 2 idle cores")
    return {"rate": rate, "p50_ms": p50, "p99_ms": p99, "baseline_rate": base_rate}


def _seed_beneficiaries(engine: sa.Engine, n: int, first_worker: int) -> None:
    """*n* approved/paying claims with five installments, some already paid, for workers first_worker…"""
    import json

    from seguro_desempleo.claims.decision import BenefitLine, StoredDecision

    d = StoredDecision("X", True, DECIDE_DAY, "bench", "base", (), 300000, 24,
                       tuple(BenefitLine(i + 1, r, a) for i, (r, a) in enumerate(
                           zip((Decimal("0.70"), Decimal("0.65"), Decimal("0.60"), Decimal("0.55"), Decimal("0.50")),
                               (210000, 195000, 180000, 165000, 150000), strict=True))), (), "bench").to_dict()
    d.pop("trace", None)
    with engine.begin() as c:
        c.execute(sa.text("INSERT INTO worker (id, doc_type, doc_number, sex) SELECT g, '01', "
                          "lpad((50000000 + g)::text, 8, '0'), 'M' FROM generate_series(CAST(:a AS integer), CAST(:b AS integer)) g"),
                  {"a": first_worker, "b": first_worker + n - 1})
        # first_period spread over the last five months: 1–5 installments due in the run month.
        c.execute(sa.text(
            "INSERT INTO claim (id, worker_ref, filed_on, separation_date, state, version, decided_on, first_period, "
            "decision, open_worker) SELECT 'B-' || lpad(g::text, 7, '0'), (:w + g)::text, :f, :s, "
            "CASE WHEN g % 5 = 0 THEN 'approved' ELSE 'paying' END, 2, :dd, :m - (g % 5), CAST(:dec AS json), "
            "(:w + g)::text FROM generate_series(0, CAST(:n AS integer) - 1) g"),
            {"w": first_worker, "f": CLAIM_DAY, "s": SEP, "dd": DECIDE_DAY, "m": RUN_MONTH, "dec": json.dumps(d),
             "n": n})
        # Installments of past months already paid for the paying claims.
        c.execute(sa.text(
            "INSERT INTO benefit_payment (key, claim_id, number, period, amount, paid_on) "
            "SELECT c.id || '#' || k, c.id, k, c.first_period + k - 1, 200000, :p FROM claim c, "
            "generate_series(1, 5) k WHERE c.id LIKE 'B-%' AND c.state = 'paying' "
            "AND c.first_period + k - 1 < :m"), {"p": DECIDE_DAY, "m": RUN_MONTH})
    # The fund's cash (issue 25: a run pays no more than the bank account holds): enough for all.
    from seguro_desempleo.domain.ledger import Accounts
    from seguro_desempleo.services import ledger as ledger_service
    from seguro_desempleo.storage.uow import SqlUnitOfWork

    with SqlUnitOfWork(engine) as uow:
        cash = n * 1_000_000 * 2
        ledger_service.post(uow, "bench.funding", ((Accounts.BANK, cash, 0), (Accounts.RESERVE, 0, cash)),
                            ref=f"bench-funding:{first_worker}", at=DECIDE_DAY)
        uow.commit()


def bench_run(engine: sa.Engine, n: int, sample: int) -> dict[str, float]:
    from seguro_desempleo.payments.bank_file import write_payment_file
    from seguro_desempleo.services.claims_app import bulk_run_payments, claims_context
    from seguro_desempleo.storage.uow import SqlUnitOfWork

    with engine.connect() as c:
        first = int(c.execute(sa.text("SELECT coalesce(max(id), 0) FROM worker")).scalar_one()) + 1
    _seed_beneficiaries(engine, n, first)
    on = dt.date(2025, 8, 26)
    # Baseline: one by one over a sample, rolled back.
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        ids = [f"B-{g:07d}" for g in range(sample)]
        t0 = time.perf_counter()
        one = ctx.service.run_payments(RUN_MONTH, on, actor="bench", only=set(ids))
        t_one = time.perf_counter() - t0
        uow.rollback()
    per_claim = t_one / sample
    with SqlUnitOfWork(engine) as uow:
        t0, c0, machine0 = time.perf_counter(), time.process_time(), _machine_times()
        run = bulk_run_payments(claims_context(uow), RUN_MONTH, on, actor="bench")
        text = write_payment_file(run.bank_file)
        uow.commit()
        t_bulk, cpu_bulk = time.perf_counter() - t0, time.process_time() - c0
        machine = _machine_share(machine0, _machine_times())
    with SqlUnitOfWork(engine) as uow:
        t0 = time.perf_counter()
        again = bulk_run_payments(claims_context(uow), RUN_MONTH, on, actor="bench")
        uow.commit()
        t_again = time.perf_counter() - t0
    print(f"Monthly run: {n:,} beneficiaries, {len(run.paid):,} installments paid "
          f"(S/ {run.total / 100:,.2f}), bank file {len(text) / 2**20:.1f} MiB, in {t_bulk:.2f} s (target ≤ 10 s; "
          f"{cpu_bulk:.2f} s of it Python CPU, load average {os.getloadavg()[0]:.1f}); "
          f"same month again: {len(again.paid)} paid in {t_again:.2f} s")
    if machine:
        print(f"  {machine}")
    print(f"  baseline one-by-one run: {per_claim * 1000:.1f} ms per claim over {sample} claims "
          f"({len(one.paid)} paid) → {per_claim * n:.0f} s for {n:,}; bulk/baseline speed-up = "
          f"{per_claim * n / t_bulk:.0f}x")
    return {"seconds": t_bulk, "again_seconds": t_again, "baseline_seconds": per_claim * n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--claims", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--server-workers", type=int, default=2)
    ap.add_argument("--baseline-claims", type=int, default=300)
    ap.add_argument("--beneficiaries", type=int, default=60_000)
    ap.add_argument("--sample", type=int, default=500, help="claims in the one-by-one baseline run")
    ap.add_argument("--skip-api", action="store_true")
    ap.add_argument("--skip-run", action="store_true")
    ap.add_argument("--flow", choices=("two", "one", "both"), default="both",
                    help="the API's requests per claim: 'two' (file, then decide), 'one' (file with "
                         "decide: true) or both, one after the other on the same server")
    a = ap.parse_args()
    from seguro_desempleo.storage.db import make_engine, upgrade

    server, url = _pg()
    try:
        upgrade(url)
        engine = make_engine(url, pool_size=4)
        print(f"PostgreSQL (pgserver, loopback), {os.cpu_count()} cores shared with other jobs")
        if not a.skip_api:
            flows = ("two", "one") if a.flow == "both" else (a.flow,)
            bench_api(url, engine, a.claims, a.concurrency, a.server_workers, a.baseline_claims,
                      pg_pid=pgserver_pid(server), flows=flows)
        engine.dispose()
        if not a.skip_run:
            run_url = _other_database(url, "bench_run")
            upgrade(run_url)
            run_engine = make_engine(run_url, pool_size=4)
            bench_run(run_engine, a.beneficiaries, a.sample)
            run_engine.dispose()
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
