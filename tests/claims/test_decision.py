"""The stored decision payload and the resolución (HTML and PDF)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import pytest

from seguro_desempleo.claims.decision import (
    LetterContext,
    StoredDecision,
    decision_record,
    render_resolution_html,
    render_resolution_pdf,
)
from seguro_desempleo.errors import InputError
from seguro_desempleo.parameters import ParameterSet
from seguro_desempleo.rules.evaluate import evaluate_case
from tests.claims.conftest import make_case

CTX = LetterContext("RES-2025-000001", "Ana Peña <Quispe>", document_number="12345678",
                    issued_on=dt.date(2025, 4, 21))


def test_payload_has_versions_and_trace_and_round_trips(params: ParameterSet) -> None:
    rec = decision_record(evaluate_case(make_case(), params))
    assert rec.eligible and rec.total == 900000
    assert [b.amount for b in rec.benefits] == [210000, 195000, 180000, 165000, 150000]
    names = {p["name"] for p in rec.parameter_versions}
    assert {"benefits.rates", "requirements.qualifying_contributions", "economy.rmv"} <= names
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", p["effective_date"]) for p in rec.parameter_versions)
    assert rec.trace["rules_version"] == rec.rules_version
    as_json = json.loads(json.dumps(rec.to_dict()))
    assert StoredDecision.from_dict(as_json) == rec


def test_malformed_payload_is_refused() -> None:
    with pytest.raises(InputError, match="field 'decision'"):
        StoredDecision.from_dict({"claim_id": "C"})


def test_approval_letter(params: ParameterSet) -> None:
    html = render_resolution_html(decision_record(evaluate_case(make_case(), params)), CTX)
    assert "DECLARAR PROCEDENTE" in html
    assert "S/ 2,100.00" in html and "S/ 9,000.00" in html and "70 %" in html
    assert "21/04/2025" in html and "RES-2025-000001" in html
    assert "PL 5510/2022-CR, art. 7" in html and "art. 218" in html and "15 días hábiles" in html
    assert "Ana Peña &lt;Quispe&gt;" in html                      # auto-escaped
    # every date for people as dd/mm/aaaa, the parameters' effective dates included
    assert not re.search(r"\d{4}-\d{2}-\d{2}", re.sub(r"<[^>]+>", " ", html))
    assert "(vigente desde 01/" in html


def test_denial_letter_lists_failed_requirements(params: ParameterSet) -> None:
    rec = decision_record(evaluate_case(make_case(cause="01", months=5), params))
    assert not rec.eligible
    html = render_resolution_html(rec, CTX)
    assert "DECLARAR IMPROCEDENTE" in html and "DECLARAR PROCEDENTE" not in html
    assert "art. 6" in html and "se requieren 12" in html
    assert "Artículo segundo.</strong> Contra" in html


def test_pdf(params: ParameterSet) -> None:
    pdf = render_resolution_pdf(decision_record(evaluate_case(make_case(), params)), CTX)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000


def test_the_trace_names_the_rmv_of_each_reference_month(params: ParameterSet) -> None:
    """Twelve months at S/ 900, 2024-04..2025-03: nine are lifted to the RMV of 2022-05 (S/ 1,025)
    and three to that of 2025-01 (S/ 1,130), (9 × 1025 + 3 × 1130) / 12 = 1,051.25 (art. 5). The
    trace, and the letter, name both RMVs, not only the one in force on the claim date."""
    from seguro_desempleo.rules.evaluate import ClaimCase, ContributionMonth

    # Separated in April 2025: the reference months are the 12 complete months before it (art. 5,
    # issue 26 item 4), 2024-04..2025-03.
    case = ClaimCase(id="rmv", separation_date=dt.date(2025, 4, 30), claim_date=dt.date(2025, 5, 15),
                     termination_cause="03", employer_size="large", registered_with_employment_service=True,
                     contributions=tuple(ContributionMonth(2024 * 12 + 3 + k, 90_000, True) for k in range(12)))
    decision = evaluate_case(case, params)
    assert decision.eligible and decision.insurable_remuneration == 105_125
    rmvs = sorted((p.effective_date, p.value) for p in decision.parameters if p.name == "economy.rmv")
    assert rmvs == [(dt.date(2022, 5, 1), 1025), (dt.date(2025, 1, 1), 1130)]
    html = render_resolution_html(decision_record(decision), CTX)
    # the letter names the parameter by its Spanish label, not its identifier (issue 30)
    assert "Remuneración mínima vital (RMV) (vigente desde 01/05/2022)" in html
    assert "Remuneración mínima vital (RMV) (vigente desde 01/01/2025)" in html and "economy.rmv" not in html


def test_a_known_reemployment_is_said_in_the_letter(params: ParameterSet) -> None:
    rec = decision_record(evaluate_case(make_case(), params))
    assert "nuevo empleo el" not in render_resolution_html(rec, CTX)
    html = render_resolution_html(rec, dataclasses.replace(CTX, reemployment_date=dt.date(2025, 6, 2)))
    assert "inició un nuevo empleo el 02/06/2025" in html and "art. 6" in html
