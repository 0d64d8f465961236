"""One money format in every JSON answer (issue 30, decision 0380).

Every ``--format json`` command of the CLI and every JSON answer of the API is walked: a money
field holds a decimal string in soles (``"1750.00"``), never a bare integer; a field whose name
ends in ``_cents`` holds an integer in céntimos; no ``*_soles`` twins remain.

Which fields are money is a list of names (:data:`MONEY_KEYS`); the few places where one of those
names is a count are listed with their path in :data:`COUNTS`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from seguro_desempleo.cli import build_app, main
from tests import signin
from tests.payroll.helpers import dni

MONEY_KEYS = frozenset({
    "amount", "total", "fund_balance", "contribution_income", "benefits_expense", "benefits_paid", "arrears_paid",
    "debit", "credit", "balance", "total_debit", "total_credit", "insurable_remuneration", "insurable_pay",
    "remuneration", "contribution_due", "due", "outstanding", "interest", "interest_owed", "applied", "unapplied",
    "total_due", "employer_due", "cts_due", "contribution", "average_benefit", "benefit_paid_per_year", "contributions_per_year", "monthly_benefit",
})
COUNTS = frozenset({("claims", "total")})          # (parent key, key): a count of claims, not money
# A list answer's "total" (beside its "items") counts the items. The audit log's "before"/"after"
# are stored records exactly as they were hashed: they are shown as written, whatever their era.
AS_STORED = frozenset({"before", "after"})
DECIMAL = re.compile(r"^-?\d+\.\d{2}$")

# Commands with --format json whose amounts are not money of the fund but an actuarial projection in
# integer thousands of soles, the unit of the bill's own tables (decision 0380): checked for
# the _cents rule only.
PROJECTIONS = frozenset({"valuation run", "valuation solve-rate", "valuation stress", "valuation stochastic",
                         "valuation tornado", "valuation bridge"})

# Commands with a --format option that has no json choice (text, csv or pdf only).
NOT_JSON = frozenset({"fund statements"})


def money_faults(doc: Any, where: str = "$", parent: str = "", *, money: bool = True) -> list[str]:
    """Every field of *doc* that breaks the rule, as ``path: reason``."""
    out: list[str] = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            path = f"{where}.{k}"
            if k in AS_STORED and "hash" in doc:
                continue
            if k == "total" and "items" in doc and isinstance(v, int):
                continue
            if isinstance(v, dict | list):
                out += money_faults(v, path, k, money=money)
            elif k.endswith("_cents"):
                if not (isinstance(v, int) and not isinstance(v, bool)) and v is not None:
                    out.append(f"{path}: {v!r} is not an integer of céntimos")
            elif k.endswith("_soles"):
                out.append(f"{path}: a *_soles twin; the plain name holds soles")
            elif (money and k in MONEY_KEYS and (parent, k) not in COUNTS and v is not None
                  and not (isinstance(v, str) and DECIMAL.match(v))):
                out.append(f"{path}: {v!r} is not a decimal string in soles")
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += money_faults(v, f"{where}[{i}]", parent, money=money)
    return out


def test_the_checker_catches_a_bare_integer() -> None:
    assert money_faults({"amount": "1750.00", "amount_cents": 175000, "claims": {"total": 3}}) == []
    assert money_faults({"payments": [{"amount": 175000}]}) == ["$.payments[0].amount: 175000 is not a decimal "
                                                                "string in soles"]
    assert money_faults({"total_cents": "1750.00"})
    assert money_faults({"amount_soles": "1750.00"})


def _json_commands() -> set[str]:
    import typer

    found: set[str] = set()

    def walk(c: Any, path: list[str]) -> None:
        if hasattr(c, "commands"):
            for n, sub in c.commands.items():
                walk(sub, [*path, n])
        elif any("--format" in getattr(p, "opts", []) for p in c.params):
            found.add(" ".join(path))

    walk(typer.main.get_command(build_app()), [])
    return found | {"evaluate"}                     # evaluate always answers JSON


# ------------------------------------------------------------------------------------ the databases


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any]]]:
    from seguro_desempleo.services.demo import DemoConfig, run_demo

    d = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{d / 'demo.sqlite3'}"
    result = run_demo(DemoConfig(workers=300, months=14, seed=42, db=url, keep_files=d / "files"))
    yield url, result


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, str]:
    from tests.api.seed import seeded_db

    return seeded_db(tmp_path_factory.mktemp("seeded"))


def _copy_db(url: str, dest: str) -> None:
    """A consistent copy of a SQLite database in WAL mode (the file alone misses the -wal part)."""
    import sqlite3

    src = sqlite3.connect(url.split("sqlite:///", 1)[1])
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _cli_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    capsys.readouterr()
    rc = main(argv)
    out = capsys.readouterr()
    assert rc in (0, 1), f"{argv}: exit {rc}: {out.err}"
    return json.loads(out.out)


def test_every_cli_json_command(demo_db: tuple[str, dict[str, Any]], seeded: tuple[str, str, str],
                                tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, demo = demo_db
    db = str(tmp_path / "copy.sqlite3")
    _copy_db(url, db)
    s_db = str(tmp_path / "seeded.sqlite3")
    _copy_db(seeded[0], s_db)
    worker = seeded[1]
    files = sorted((Path(url.split("sqlite:///", 1)[1]).parent / "files").rglob("0601*.rem"))
    cases = tmp_path / "case.json"
    cases.write_text(json.dumps(_case()), encoding="utf-8")
    runs: dict[str, list[str]] = {
        "demo": [],                                    # the fixture's own result, below
        "evaluate": ["evaluate", str(cases), "--no-trace"],
        "parameters": ["parameters", "--format", "json"],
        "simulate": ["simulate", "--persons", "2000", "--months", "12", "--burn-in", "0", "--format", "json"],
        "ledger balance": ["ledger", "balance", "--format", "json", "--db", db],
        "ledger trial-balance": ["ledger", "trial-balance", "--format", "json", "--db", db],
        "payroll import": ["payroll", "import", str(files[0]), "--format", "json", "--db",
                           str(tmp_path / "fresh.sqlite3"), "--as-of", "2026-01-01"],
        "payroll arrears": ["payroll", "arrears", "--at", "2026-06-30", "--format", "json", "--db", db],
        "payroll history": ["payroll", "history", "--doc-type", "01", "--doc-number", dni(5), "--from",
                            "2024-01", "--to", "2025-03", "--format", "json", "--db", s_db],
        "claims register-employment": ["claims", "register-employment", worker, "--date", "2025-03-19",
                                       "--channel", "empleos_peru", "--format", "json", "--db", s_db],
        "claims file": ["claims", "file", "--worker", worker, "--date", "2025-03-20", "--format", "json",
                        "--db", s_db],
        "claims decide": ["claims", "decide", "C-000001", "--date", "2025-03-21", "--format", "json", "--db", s_db],
        "claims pay-run": ["claims", "pay-run", "--period", "2025-04", "--date", "2025-04-28", "--out",
                           str(tmp_path / "bank.txt"), "--format", "json", "--db", s_db],
        "claims show": ["claims", "show", "C-000001", "--format", "json", "--db", s_db],
        "claims list": ["claims", "list", "--state", "paying", "--format", "json", "--db", db],
        # merged in issues 24-31
        "claims acts": ["claims", "acts", "C-000001", "--format", "json", "--db", s_db],
        "claims reviews": ["claims", "reviews", "--format", "json", "--db", db],
        "claims auto-decide": ["claims", "auto-decide", "--at", demo["last_date"], "--format", "json", "--db", db],
        "audit verify": ["audit", "verify", "--format", "json", "--db", db],
        "instrument list": ["instrument", "list", "--format", "json", "--db", db],
        "study": ["study", demo["last_date"][:4], "--format", "json", "--db", db],
    }
    for name in PROJECTIONS:
        runs[name] = []
    assert _json_commands() - NOT_JSON <= set(runs), f"a --format json command without a case here: " \
                                          f"{sorted(_json_commands() - NOT_JSON - set(runs))}"
    faults: list[str] = money_faults(demo, "demo")
    assert demo["arrears_paid"] is not None and "arrears_paid" not in demo["events"]
    seen: dict[str, Any] = {}
    assert main(["db", "init", "--db", str(tmp_path / "fresh.sqlite3")]) == 0
    for name, argv in runs.items():
        if not argv:
            continue
        doc = _cli_json(capsys, argv)
        seen[name] = doc
        faults += money_faults(doc, name)
    assert faults == [], "\n".join(faults)
    # The money is really there, as soles.
    assert seen["claims show"]["installments"] and all(DECIMAL.match(i["amount"])
                                                       for i in seen["claims show"]["installments"])
    assert DECIMAL.match(seen["claims pay-run"]["total"])


def _case() -> dict[str, Any]:
    return {"id": "c1", "separation_date": "2025-06-30", "claim_date": "2025-07-10", "termination_cause": "03",
            "employer_size": "large", "registered_with_employment_service": True,
            "contributions": [{"period": f"{2023 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}", "remuneration": "2400.00"}
                              for m in range(7, 31)]}


# ------------------------------------------------------------------------------------------ the API


def test_every_api_json_answer(demo_db: tuple[str, dict[str, Any]], tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from seguro_desempleo.api.app import create_app

    url, demo = demo_db
    db = tmp_path / "api.sqlite3"
    _copy_db(url, str(db))
    today = dt.date.fromisoformat(demo["last_date"])
    faults: list[str] = []
    with TestClient(create_app(db_url=f"sqlite:///{db}", secret="t", today=today)) as c:
        def tok(role: str, subject: str | None = None) -> dict[str, str]:
            return signin.headers(c, role, subject)    # an account's session (tests/signin.py)

        admin, analyst, cw = tok("admin"), tok("analyst"), tok("caseworker")
        r = c.get("/api/v1/claims?state=paying", headers=cw)
        assert r.status_code == 200 and r.json()["items"], r.text
        paid = r.json()["items"][0]
        employers = c.get("/api/v1/employers", headers=cw).json()
        ruc = (employers["items"] if isinstance(employers, dict) else employers)[0]["ruc"]
        values = {"claim_id": paid["id"], "worker_id": paid["worker_id"], "ruc": ruc}
        spec = c.get("/api/openapi.json").json()
        visited = 0
        for path, ops in spec["paths"].items():
            if "get" not in ops or not path.startswith("/api/v1") or path.endswith("/letter"):
                continue
            concrete = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x"), path)
            for headers in (admin, analyst, cw):
                r = c.get(concrete, headers=headers)
                if r.status_code == 200:
                    faults += money_faults(r.json(), f"GET {path}")
                    visited += 1
                    break
        body = c.post("/api/v1/evaluate", json={"cases": [_case()], "trace": False}).json()
        faults += money_faults(body, "POST /api/v1/evaluate")
        r = c.post("/api/v1/payment-runs", json={"period": demo["last_month"], "sequence": 2}, headers=cw)
        assert r.status_code == 201, r.text
        faults += money_faults(r.json(), "POST /api/v1/payment-runs")
        shown = c.get(f"/api/v1/claims/{paid['id']}", headers=cw).json()
        summary = c.get("/api/v1/reports/summary", headers=analyst).json()
    assert faults == [], "\n".join(faults)
    assert visited >= 15
    assert shown["payments"] and all(DECIMAL.match(p["amount"]) for p in shown["payments"])
    assert DECIMAL.match(summary["fund_balance"]) and summary["fund_balance"] == demo["fund_balance"]
