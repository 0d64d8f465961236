"""Legal cases written as YAML data (tests/rules/cases/): article, inputs, hand arithmetic, expected.

Lawyers add cases there without writing Python; each case runs through the same path as the
``evaluate`` command (parse → vectorised rules → explained decision).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from seguro_desempleo.money import cents_to_str, parse_soles
from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.periods import first_day, parse_period
from seguro_desempleo.rules import financing, remuneration
from seguro_desempleo.services.evaluation import evaluate_cases, parse_cases
from tests.rules.helpers import case_from_yaml

CASES_DIR = Path(__file__).parent / "cases"


def _load(kind: str) -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for i, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
            if ("case" in case) == (kind == "claim"):
                params.append(pytest.param(case, id=f"{path.stem}:{i}:{case['name'][:40]}"))
    return params


def _params(case: dict[str, Any]):  # type: ignore[no-untyped-def]
    ps = default_parameters()
    if case.get("reform"):
        ps = ps.with_reform(case["reform"])
    if case.get("params"):
        ps = ps.with_overrides(case["params"], name="case")
    return ps


@pytest.mark.parametrize("case", _load("claim"))
def test_claim_case(case: dict[str, Any]) -> None:
    assert case.get("article"), "every legal case names its article"
    [claim] = parse_cases(case_from_yaml(case["case"], "case"))
    [decision] = evaluate_cases([claim], _params(case))
    exp = case["expected"]
    d = decision.to_dict()
    assert d["eligible"] is exp["eligible"], decision.explanation
    if "contributions_in_window" in exp:
        assert d["contributions_in_window"] == exp["contributions_in_window"]
    if "insurable_remuneration" in exp:
        assert d["insurable_remuneration"] == exp["insurable_remuneration"]
    if "benefits" in exp:
        assert [b["amount"] for b in d["benefits"]] == exp["benefits"]
    if "total" in exp:
        assert d["total"] == exp["total"]
    if "failed" in exp:
        assert sorted(r["requirement"] for r in d["reasons"] if not r["met"]) == sorted(exp["failed"])
    for requirement, words in exp.get("says", {}).items():  # what the explanation tells the worker
        detail = next(r["detail"] for r in d["reasons"] if r["requirement"] == requirement)
        assert all(w in detail for w in words), detail
    for requirement, words in exp.get("does_not_say", {}).items():
        detail = next(r["detail"] for r in d["reasons"] if r["requirement"] == requirement)
        assert not any(w in detail for w in words), detail
    # Every reason cites an article; the explanation is Spanish text the worker can read.
    assert all(r["article"].startswith("PL 5510/2022-CR") for r in d["reasons"])
    assert ("Cumple los requisitos" in decision.explanation) is exp["eligible"]


@pytest.mark.parametrize("case", _load("contribution"))
def test_contribution_case(case: dict[str, Any]) -> None:
    assert case.get("article")
    ps = _params(case)
    month = parse_period(case["month"])
    snap = ps.at(first_day(month))
    rmv = ps.monthly_series("economy.rmv", [month])
    base = remuneration.insurable_base(np.array([parse_soles(case["pay"])]), rmv, snap)
    split = financing.contribution_due(base, snap)
    exp = case["expected"]
    assert cents_to_str(int(base[0])) == exp["base"]
    assert cents_to_str(int(split.total[0])) == exp["total"]
    assert cents_to_str(int(split.employer[0])) == exp["employer"]
    assert cents_to_str(int(split.cts[0])) == exp["cts"]


def test_every_article_has_cases() -> None:
    text = " ".join(p.read_text(encoding="utf-8") for p in CASES_DIR.glob("*.yaml"))
    for article in ("art. 3", "art. 5", "art. 6", "art. 7", "art. 8"):
        assert f"PL 5510/2022-CR, {article}" in text, article
