"""One money format in every JSON answer (issue 30, decision 0380).

Every ``--format json`` command of the CLI and every JSON answer of the API is walked: a money
field holds a decimal string in soles (``"1750.00"``), never a bare integer; a field whose name
ends in ``_cents`` holds an integer in céntimos; no ``*_soles`` twins remain.

Which fields are money is a list of names (:data:`MONEY_KEYS`); the few places where one of those
names is a count are listed with their path in :data:`COUNTS`. A money name over a list of numbers
(a series) or over a dict of such lists (percentiles) holds soles strings in each place.

The actuarial valuation's and the microsimulation's answers are no exception (decision 0451
supersedes 0380's exemption): they are checked by the same walk, and the valuation's by a stricter
one besides (:func:`bare_numbers`): a bare number is a count or a year, or its name says it is a
rate, a ratio, a share or a probability.
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
    # the actuarial valuation (decision 0451) and the microsimulation's flows
    "insurable_earnings", "contributions", "investment_income", "benefits", "admin_costs", "surplus", "reserve",
    "final_reserve", "min_reserve", "expected_shortfall", "reserve_percentiles", "reserve_p5", "reserve_p25",
    "reserve_p50", "reserve_p75", "reserve_p95", "average_monthly_benefit", "benefit_paid", "nc_paid",
})
COUNTS = frozenset({("claims", "total"),           # (parent key, key): a count of claims, not money
                    ("denied_by_reason", "contributions"),  # claims denied for lack of contributions
                    ("", "contributions"), ("details", "contributions")})  # payroll import: lines read
# A list answer's "total" (beside its "items") counts the items. The audit log's "before"/"after"
# are stored records exactly as they were hashed: they are shown as written, whatever their era.
AS_STORED = frozenset({"before", "after"})
DECIMAL = re.compile(r"^-?\d+\.\d{2}$")

# The valuation's commands: besides the money walk, every bare number is a count, a year or a rate.
PROJECTIONS = frozenset({"valuation run", "valuation solve-rate", "valuation stress", "valuation stochastic",
                         "valuation tornado", "valuation bridge"})
COUNT_NAMES = re.compile(r"^(year|years|runs|seed|horizon|count|months|persons|burn_in|\d+|\w+_year|"
                         r"average_monthly_beneficiaries)$")
RATE_NAMES = re.compile(r"(rate|ratio|pct|probability|share|p_depletion|multiple|_years|median|^p\d+$|"
                        r"^value$)")          # a solve's "value": its target's own (alpha, K), beside "target"


def bare_numbers(doc: Any, where: str = "$", key: str = "") -> list[str]:
    """Every bare number of *doc* that is neither a count/year nor named as a rate or ratio."""
    out: list[str] = []
    if isinstance(doc, dict):
        for k, v in doc.items():               # a percentile's key ("50") keeps its parent's name
            out += bare_numbers(v, f"{where}.{k}", key if str(k).isdigit() and key else str(k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += bare_numbers(v, f"{where}[{i}]", key)
    elif isinstance(doc, int | float) and not isinstance(doc, bool):
        named = COUNT_NAMES.match(key) if isinstance(doc, int) else None
        if not named and not RATE_NAMES.search(key) and not key.endswith("_cents"):
            out.append(f"{where}: {doc!r} is a bare number under a name that says neither count nor rate")
    return out

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
            if money and k in MONEY_KEYS and (parent, k) not in COUNTS and _series(v):
                out += [f"{p}: {x!r} is not a decimal string in soles" for p, x in _series(v, path)
                        if x is not None and not (isinstance(x, str) and DECIMAL.match(x))]
            elif isinstance(v, dict | list):
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


def _series(v: Any, path: str = "") -> list[tuple[str, Any]]:
    """The places of a series (a list of scalars) or of a dict of series; [] for anything else."""
    def scalars(x: Any) -> bool:
        return isinstance(x, list) and bool(x) and not any(isinstance(y, dict | list) for y in x)

    if scalars(v):
        return [(f"{path}[{i}]", x) for i, x in enumerate(v)]
    if isinstance(v, dict) and v and all(scalars(x) for x in v.values()):
        return [(f"{path}.{k}[{i}]", y) for k, x in v.items() for i, y in enumerate(x)]
    return []


def test_the_checker_catches_a_bare_integer() -> None:
    assert money_faults({"reserve_percentiles": {"5": [837093]}}) == [
        "$.reserve_percentiles.5[0]: 837093 is not a decimal string in soles"]
    assert money_faults({"monthly": {"contributions": [12, 13]}})
    assert money_faults({"monthly": {"contributions_cents": [12, 13]}, "reserve": ["837093000.00"]}) == []
    assert bare_numbers({"year": 2021, "reserve": 840207}) == [
        "$.reserve: 840207 is a bare number under a name that says neither count nor rate"]
    assert bare_numbers({"year": 2021, "payg_rate": 0.25, "depletion_probability": [0.0, 0.1], "runs": 9}) == []
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
    from seguro_desempleo.demo import DemoConfig, run_demo

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
    runs |= {                                           # no exemption any more (decision 0451)
        "valuation run": ["valuation", "run", "--format", "json"],
        "valuation solve-rate": ["valuation", "solve-rate", "break_even=7", "--format", "json"],
        "valuation stress": ["valuation", "stress", "--format", "json"],
        "valuation stochastic": ["valuation", "stochastic", "--runs", "200", "--alpha", "0.1", "--format", "json"],
        "valuation tornado": ["valuation", "tornado", "--format", "json"],
        "valuation bridge": ["valuation", "bridge", "--persons", "30000", "--months", "24", "--format", "json"],
    }
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
        if name in PROJECTIONS:
            faults += bare_numbers(doc, name)
    faults += bare_numbers(seen["valuation solve-rate"]["rows"], "valuation solve-rate")
    assert faults == [], "\n".join(faults)
    # The projection's thousands became soles: 840 207 thousand is S/ 840,207,000.00.
    assert seen["valuation run"][0]["reserve"] == "840207000.00" and seen["valuation run"][0]["year"] == 2021
    assert all(DECIMAL.match(x) for x in seen["valuation stochastic"]["reserve_percentiles"]["50"])
    bridge = {r["step"]: r for r in seen["valuation bridge"]["bridge"]}
    assert bridge["benefits_year"]["unit"] == "soles" and DECIMAL.match(bridge["benefits_year"]["ilo"])
    assert bridge["claims_year"]["unit"] == "count"
    flows = seen["simulate"]["actuarial_flows"]["monthly"]
    assert "contributions" not in flows and all(isinstance(x, int) for x in flows["contributions_cents"])
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


def test_the_files_of_compare_and_of_the_valuation_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The JSON files ``compare`` and ``valuation report`` write follow the same rule."""
    cmp_dir, rep_dir = tmp_path / "compare", tmp_path / "report"
    assert main(["compare", "--designs", "bill", "--persons", "3000", "--months", "12", "--burn-in", "0",
                 "--workers", "0", "--out", str(cmp_dir)]) == 0
    assert main(["valuation", "report", "--out", str(rep_dir), "--runs", "100", "--no-pdf"]) == 0
    capsys.readouterr()
    faults: list[str] = []
    docs = {}
    for path in sorted([*cmp_dir.glob("*.json"), *rep_dir.glob("*.json")]):
        doc = json.loads(path.read_text(encoding="utf-8"))
        docs[path.name] = doc
        faults += money_faults(doc, path.name)
        if path.parent == rep_dir and path.name not in ("run.json", "tornado.json"):
            faults += bare_numbers(doc, path.name)
    assert faults == [], "\n".join(faults)
    assert {"bill.json", "projection.json", "stochastic_fan.json", "beneficiaries.json"} <= set(docs)
    assert docs["projection.json"][-1]["reserve"] == "2686738000.00"        # the report shows 2 686 738 (thousands)
    assert DECIMAL.match(docs["stochastic_fan.json"][0]["reserve_p50"])
    assert docs["beneficiaries.json"][0]["average_monthly_benefit"] == "1137.00"
