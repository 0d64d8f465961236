"""Legal cases of the benefit schedule (issue 26, item 2) as YAML data: tests/rules/cases/schedule/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from seguro_desempleo.money import cents_to_str, parse_soles
from seguro_desempleo.payments.schedule import benefit_start, first_benefit_period, plan_installments
from seguro_desempleo.periods import format_period

CASES = Path(__file__).parent / "cases" / "schedule"


class _Benefit:
    def __init__(self, month: int, amount: int) -> None:
        self.month, self.rate, self.amount = month, Decimal("0"), amount


def _cases() -> list[Any]:
    return [pytest.param(c, id=f"{p.stem}:{i}")
            for p in sorted(CASES.glob("*.yaml"))
            for i, c in enumerate(yaml.safe_load(p.read_text(encoding="utf-8")))]


@pytest.mark.parametrize("case", _cases())
def test_schedule_case(case: dict[str, Any]) -> None:
    assert case["article"].startswith("PL 5510/2022-CR")
    sep = dt.date.fromisoformat(case["separation_date"])
    wend = sep + dt.timedelta(days=int(case["waiting_days"]))  # rules.waiting.waiting_period_end
    reemp = dt.date.fromisoformat(case["reemployment_date"]) if case.get("reemployment_date") else None
    benefits = [_Benefit(k + 1, parse_soles(a)) for k, a in enumerate(case["amounts"])]
    plan = plan_installments("C-1", benefits, first_benefit_period(wend), benefit_start=benefit_start(wend),
                             reemployment_date=reemp)
    exp = case["expected"]
    if "months" in exp:
        assert [[i.starts.isoformat(), i.ends.isoformat()] for i in plan if i.starts and i.ends] == exp["months"]
    if "paid_with" in exp:
        assert [format_period(i.period) for i in plan] == exp["paid_with"]
    if "amounts" in exp:
        assert [cents_to_str(0 if i.cancelled else i.amount) for i in plan] == exp["amounts"]
