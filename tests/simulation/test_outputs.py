"""Outputs: national scaling in exact integers, groups, gender gaps, flows, comparison files."""

from __future__ import annotations

from pathlib import Path

from seguro_desempleo.simulation import outputs
from seguro_desempleo.simulation.engine import MON_NAMES, A
from seguro_desempleo.simulation.runner import RunSpec, run


def test_summary_groups_gaps_and_flows(tmp_path: Path) -> None:
    r = run(RunSpec(persons=10_000, months=12, burn_in=12, seed=4))
    s = outputs.summary(r)
    ind = s["indicators"]
    assert set(ind) == {"all", "sex", "age", "region", "size"}
    assert set(ind["sex"]) == {"men", "women"} and len(ind["age"]) == 5 and len(ind["size"]) == 5
    assert sum(g["person_months"] for g in ind["sex"].values()) == ind["all"]["person_months"] == 120_000
    assert isinstance(ind["all"]["benefit_paid_per_year_cents"], int)
    assert ind["all"]["benefit_paid_per_year"].count(".") == 1  # soles as a decimal string
    assert "coverage_of_employed_women_minus_men" in s["gender_gaps"]
    assert ind["size"]["none"]["coverage_of_employed"] in (0.0, None)
    flows = s["actuarial_flows"]
    assert set(flows["monthly"]) == set(MON_NAMES) and len(flows["monthly"]["claims"]) == 12
    assert flows["survival_by_benefit_month"][0] == 1.0
    assert sum(flows["payments_by_benefit_month"]) == int(r.acc[A["benefit_months"]].sum())
    # national scaling is exact integer arithmetic, half-up
    assert outputs.scaled(r, 10_000) == r.working_age_population
    outputs.write_flows_csv(r, tmp_path / "flows.csv")
    assert (tmp_path / "flows.csv").read_text(encoding="utf-8").startswith("month,formal,")


def test_comparison_table_and_charts(tmp_path: Path) -> None:
    sums = [outputs.summary(run(RunSpec(design=d, persons=3_000, months=6, burn_in=6, seed=1)))
            for d in ("bill", "chile")]
    files = outputs.write_comparison(sums, tmp_path)
    names = {f.name for f in files}
    assert {"comparison.csv", "comparison.md", "cost_share_of_gdp.png", "eligibility_by_sex.png"} <= names
    assert all(f.stat().st_size > 0 for f in files)
    assert "| chile |" in (tmp_path / "comparison.md").read_text(encoding="utf-8")


def test_money_accounting_is_consistent() -> None:
    r = run(RunSpec(design="flat_60", persons=8_000, months=12, burn_in=12, seed=6))
    acc = r.acc
    insurable, contrib = int(acc[A["insurable_pay"]].sum()), int(acc[A["contributions"]].sum())
    # 1.16 % of each month's insurable pay, rounded per worker-month (art. 8)
    assert abs(contrib - insurable * 116 // 10_000) <= int(acc[A["pm_covered"]].sum())
    # a flat 60 % schedule replaces exactly 60 % of the insurable pay, up to céntimo rounding
    paid, ir = int(acc[A["benefit_paid"]].sum()), int(acc[A["ir_paid"]].sum())
    assert paid > 0 and abs(paid - ir * 6 // 10) <= int(acc[A["benefit_months"]].sum())
    # the monthly series add up to the totals
    assert int(r.mon[MON_NAMES.index("benefit_paid")].sum()) == paid
    assert int(r.mon[MON_NAMES.index("contributions")].sum()) == contrib
