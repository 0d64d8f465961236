"""A kill -9 in the middle of an import leaves the database exactly as before; importing again works."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

import seguro_desempleo.services.ledger as ledger
from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.payroll.helpers import dni, make_ruc, write_rem
from tests.payroll.test_import import snapshot

CHILD = textwrap.dedent("""
    import datetime as dt, sys, time
    from pathlib import Path
    import seguro_desempleo.services.payroll_import as imp
    from seguro_desempleo.services import ledger

    url, marker, point, files = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4:]
    imp.CHUNK_BYTES = 20_000          # many chunks: the kill lands between writes

    def stop(*_a, **_k):
        marker.write_text("ready")
        time.sleep(120)

    if point == "staging":
        progress = lambda done, total: stop() if done >= total // 2 else None
    else:                              # after declarations and contributions were inserted
        progress = None
        ledger.post = stop             # services.ledger, which the run posts through
    from seguro_desempleo.bootstrap import import_files
    import_files(files, db=url, today=dt.date(2025, 6, 1), progress=progress)
""")


def _files(directory: Path, month: str, n_employers: int, pay: str) -> list[Path]:
    return [write_rem(directory, make_ruc(500 + e), month,
                      [("01", dni(e * 100 + w), c, pay, pay) for w in range(40) for c in ("0121", "0201")])
            for e in range(n_employers)]


@pytest.mark.parametrize("point", ["staging", "finish"])
def test_kill_mid_import_leaves_database_unchanged(migrated_url: str, tmp_path: Path, point: str) -> None:
    engine = sa.create_engine(migrated_url)
    try:
        first = tmp_path / "jan"
        first.mkdir()
        with SqlUnitOfWork(engine) as uow:
            import_files(_files(first, "2025-01", 5, "2000"), uow=uow, today=dt.date(2025, 6, 1))
            uow.commit()
        before = snapshot(engine)
        feb = tmp_path / "feb"
        feb.mkdir()
        files = _files(feb, "2025-02", 60, "2100.50")
        # A rectification of January too, so the killed run would have superseded something.
        jan2 = tmp_path / "jan2"
        jan2.mkdir()
        files += _files(jan2, "2025-01", 2, "2500")
        marker = tmp_path / "ready"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path.cwd() / "src"), os.environ.get("PYTHONPATH", "")])}
        proc = subprocess.Popen([sys.executable, "-c", CHILD, migrated_url, str(marker), point, *map(str, files)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while not marker.exists():
            if proc.poll() is not None:
                pytest.fail(f"import ended before the kill point: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("import never reached the kill point")
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        engine.dispose()
        deadline = time.monotonic() + 30
        while True:  # PostgreSQL ends the dead client's transaction when it notices the closed socket
            try:
                after = snapshot(engine)
                break
            except sa.exc.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert after == before
        # Importing the same files again now works in full.
        with SqlUnitOfWork(engine) as uow:
            s = import_files(files, uow=uow, today=dt.date(2025, 6, 1))
            uow.commit()
        assert s.accepted == 62 and s.duplicates == 0 and s.superseded == 2
        with SqlUnitOfWork(engine) as uow:
            assert uow.contributions.count() == 60 * 40 + 5 * 40
            assert ledger.trial_balance(uow).balanced
            ledger.verify(uow)
    finally:
        engine.dispose()
