"""The simulation run on the ILO valuation's assumptions: its year, coverage and pay levels (issue 29).

The ILO's first benefit year is 2022, with 3.5 million average monthly contributors in 2021 (growing with
employment: 3.73 million in 2022) and an average insurable pay w = E / (12 · C) = S/ 2,163 a month in 2022
(PL 5510/2022-CR, exposición de motivos). Our ``bill`` design covers medium and large private firms at
2026 pay (S/ 3,037; 2.14 million contributors). This run moves the three to the ILO's:

- year: the RMV of 2022 (S/ 1,025, D.S. 003-2022-TR) — the minimum insurable base of art. 5;
- coverage: every private employer size (≈ 3.3-3.5 million contributors in the simulation: the ILO's
  3.5 million is all formal private wage earners, not only medium and large firms);
- pay: the formal wage means scaled so that contributors' average insurable pay is the ILO's S/ 2,163
  (one pilot run measures the unscaled level; the log-normal shape is kept).

The labour-market flows (separations, causes, eligibility, take-up) are left as calibrated: they are
what the bridge (``actuarial/bridge.py``) compares with what the ILO's figures imply.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from seguro_desempleo.simulation.calibration import TARGETS_FILE, load_targets

D = Decimal
ILO_YEAR_RMV = 1025
ILO_AVERAGE_PAY = D("2163.35")
"""w_2022 = 96,948,483 thousand soles / (12 × 3,734,500 contributors) (ilo-2021 set)."""
DESIGN_FILE = Path(__file__).parent / "ilo2021_basis.yaml"


def _targets_file(scale: Decimal, directory: Path) -> Path:
    t = load_targets(TARGETS_FILE)
    fj = t["formal_jobs"]
    for key in ("wage_mean_men", "wage_mean_women"):
        fj[key]["value"] = (D(str(fj[key]["value"])) * scale).quantize(D("0.01"))
        fj[key]["source"] = f"{fj[key]['source']} — scaled ×{scale:.4f} to the ILO 2022 average insurable pay"
    t["economy"]["rmv"]["value"] = ILO_YEAR_RMV
    path = directory / f"targets-ilo2021-{scale:.6f}.yaml"
    path.write_text(yaml.safe_dump(_plain(t), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _plain(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    if isinstance(x, Decimal):  # written as a plain YAML number; load_yaml reads it back as the same decimal
        return int(x) if x == x.to_integral_value() else float(x)
    return x


def run_ilo_basis(persons: int = 200_000, months: int = 60, seed: int = 1, burn_in: int = 24,
                  pilot_persons: int = 50_000) -> tuple[Any, Decimal]:
    """(result, pay scale): the ``ilo2021_basis`` design at the ILO's pay level (two runs: pilot, then real)."""
    from seguro_desempleo.actuarial.bridge import sim_flows
    from seguro_desempleo.simulation.runner import RunSpec, run

    directory = Path(tempfile.mkdtemp(prefix="ilo-basis-"))
    pilot = run(RunSpec(design=str(DESIGN_FILE), persons=pilot_persons, months=12, seed=seed, burn_in=burn_in,
                        engine="auto", targets=str(_targets_file(D(1), directory))))
    scale = ILO_AVERAGE_PAY / sim_flows(pilot).average_pay
    result = run(RunSpec(design=str(DESIGN_FILE), persons=persons, months=months, seed=seed, burn_in=burn_in,
                         engine="auto", targets=str(_targets_file(scale, directory))))
    return result, scale
