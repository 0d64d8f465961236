"""The claims and audit commands end to end on a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seguro_desempleo.cli import main
from seguro_desempleo.storage.db import make_engine
from tests.claims.test_sql_stores import seed_worker
from tests.fixtures.databases import migrated_sqlite


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[str, str]:
    url = migrated_sqlite(tmp_path / "cli.sqlite3")
    eng = make_engine(url)
    ref = seed_worker(eng, tmp_path)
    eng.dispose()
    return url, ref


def test_claim_lifecycle_commands(seeded: tuple[str, str], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    url, ref = seeded
    assert main(["claims", "file", "--worker", ref, "--date", "2025-03-20", "--db", url]) == 0
    assert "C-000001 filed" in capsys.readouterr().out
    assert main(["claims", "file", "--worker", ref, "--date", "2025-03-20", "--db", url]) == 2
    assert "one open claim per worker" in capsys.readouterr().err
    assert main(["claims", "decide", "C-000001", "--date", "2025-03-21", "--db", url]) == 0
    assert "approved" in capsys.readouterr().out
    assert main(["claims", "letter", "C-000001", "--out", str(tmp_path / "r.html"), "--db", url]) == 0
    assert "written to" in capsys.readouterr().out
    assert "RESOLUCI" in (tmp_path / "r.html").read_text(encoding="utf-8").upper()
    bank = tmp_path / "bn.txt"
    assert main(["claims", "pay-run", "--period", "2025-08", "--date", "2025-08-25", "--out", str(bank),
                 "--format", "json", "--db", url]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["payments"] == 4 and bank.stat().st_size > 0    # the 4th pro rata (issue 26, item 2)
    # The same --out again is refused before anything runs (issue 25: it was overwritten by an empty file).
    assert main(["claims", "pay-run", "--period", "2025-08", "--date", "2025-08-25", "--out", str(bank),
                 "--format", "json", "--db", url]) == 2
    assert "already exists" in capsys.readouterr().err and bank.stat().st_size > 0
    assert main(["claims", "pay-run", "--period", "2025-08", "--date", "2025-08-25", "--out",
                 str(tmp_path / "bn2.txt"), "--format", "json", "--db", url]) == 0
    assert json.loads(capsys.readouterr().out)["payments"] == 0
    assert main(["claims", "show", "C-000001", "--format", "json", "--db", url]) == 0
    view = json.loads(capsys.readouterr().out)
    assert view["state"] == "closed" and len(view["payments"]) == 4
    assert main(["claims", "obligation", "C-000001", "--db", url]) == 0
    assert "counselling" in capsys.readouterr().out
    # Issue 26 item 9: the decision and the closure are issued acts; the appeal term runs from the
    # notification recorded for the latest act (before: from the decision date, assumed notified).
    assert main(["claims", "acts", "C-000001", "--format", "json", "--db", url]) == 0
    acts = json.loads(capsys.readouterr().out)["acts"]
    assert [(a["number"], a["kind"]) for a in acts] == [("RES-2025-000001", "decision"),
                                                        ("RES-2025-000001-02", "closure")]
    assert main(["claims", "notify", "RES-2025-000001-02", "--date", "2025-08-26", "--db", url]) == 0
    assert "notified on 2025-08-26" in capsys.readouterr().out
    assert main(["claims", "appeal", "C-000001", "--kind", "reconsideracion", "--date", "2025-09-30",
                 "--db", url]) == 2
    assert "out of time" in capsys.readouterr().err
    assert main(["audit", "verify", "--db", url]) == 0
    assert "audit chain intact" in capsys.readouterr().out


def test_unknown_claim_is_one_line(seeded: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    url, _ = seeded
    assert main(["claims", "decide", "C-999999", "--db", url]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "C-999999" in err and "\n" not in err


def test_register_employment_command(seeded: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    url, ref = seeded
    assert main(["claims", "register-employment", ref, "--date", "2025-03-15", "--channel", "empleos_peru",
                 "--db", url]) == 0
    assert f"worker {ref} registered with the employment service on 2025-03-15 (empleos_peru)" in \
        capsys.readouterr().out
    assert main(["claims", "register-employment", "999999", "--date", "2025-03-15", "--channel", "other",
                 "--db", url]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "999999" in err and len(err.splitlines()) == 1
    assert main(["claims", "register-employment", ref, "--channel", "fax", "--db", url]) == 2
    assert "channel" in capsys.readouterr().err


def test_file_with_decide(seeded: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    url, ref = seeded
    assert main(["claims", "file", "--worker", ref, "--date", "2025-03-20", "--decide", "--db", url]) == 0
    out = capsys.readouterr().out
    # The seeded worker's new job (pay in 07/2025: from 01/07/2025) is on record at the decision
    # (issue 26 items 2 and 3, arts. 5 y 6). Separation 10/03/2025, 7 days of waiting → benefit
    # months from 18/03/2025; months 1–3 (to 17/06) in full: 2,100 + 1,950 + 1,800; month 4
    # (18/06–17/07/2025, 30 days) has 13 days out of work: 1,650 × 13 / 30 = 715.00; month 5 starts
    # after the new job. Total 6,565.00 in 4 installments. (Was "in 3 installments" under the
    # calendar-month reading, and before that "in 5" and a suspension at the first run.)
    assert "C-000001 filed and decided: approved, S/ 6,565.00 in 4 installments" in out
    assert main(["claims", "show", "C-000001", "--format", "json", "--db", url]) == 0
    view = json.loads(capsys.readouterr().out)
    assert view["state"] == "approved" and view["decided_on"] == "2025-03-20" and view["obligations"]
    assert main(["claims", "decide", "C-000001", "--db", url]) == 2
    assert "already approved" in capsys.readouterr().err


def test_file_with_decide_inside_the_waiting_period(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = migrated_sqlite(tmp_path / "w.sqlite3")
    eng = make_engine(url)
    ref = seed_worker(eng, tmp_path, 7, reemployed=False)
    eng.dispose()
    assert main(["claims", "file", "--worker", ref, "--date", "2025-03-12", "--decide", "--db", url]) == 0
    assert "C-000001 filed: waiting (the waiting period is not over" in capsys.readouterr().out
    assert main(["claims", "decide", "C-000001", "--date", "2025-03-18", "--db", url]) == 0
    assert "approved" in capsys.readouterr().out
