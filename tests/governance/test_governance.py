"""Governance of the fund (issue 28): instruments, the board's vote, the art. 10 study, the fund's
statements and the solvency triggers — on SQLite and PostgreSQL where the database is involved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from seguro_desempleo.domain import governance as gd
from seguro_desempleo.errors import ConflictError, InputError, ParameterError
from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.parameters.model import Instrument
from seguro_desempleo.periods import period_of
from seguro_desempleo.reports.statements import statements_csv
from seguro_desempleo.rules.evaluate import ClaimCase, ContributionMonth, evaluate_case
from seguro_desempleo.services import governance as g
from seguro_desempleo.services import ledger
from seguro_desempleo.storage.uow import SqlUnitOfWork

D = dt.date(2026, 3, 1)   # the instruments' effective date


def _case(separation: dt.date, months: int) -> ClaimCase:
    last = period_of(separation)
    contributions = tuple(ContributionMonth(last - k, 300_000) for k in range(months))
    return ClaimCase(id="c", separation_date=separation, claim_date=separation + dt.timedelta(days=20),
                     termination_cause="03", employer_size="large", registered_with_employment_service=True,
                     contributions=tuple(sorted(contributions, key=lambda c: c.period)))


# ------------------------------------------------------------------------------------ instruments


def _refused(url: str, error: type[Exception], *statements: str) -> None:
    """Each statement, run straight on the database, is refused with ``error``."""
    eng = sa.create_engine(url)
    try:
        for stmt in statements:
            with pytest.raises(error), eng.begin() as conn:
                conn.execute(sa.text(stmt))
    finally:
        eng.dispose()


def test_instrument_changes_a_value_from_its_effective_date_for_new_contingencies(migrated_url: str) -> None:
    """A Ley lowering the qualifying contributions from 12 to 8 (art. 4's value, only a Ley changes it)
    from 1 March 2026: a worker separated on 28 February with 8 months stays ineligible (the
    contingency is before the Ley, its value was 12); one separated on 1 March qualifies."""
    with SqlUnitOfWork(migrated_url) as uow:
        g.add_instrument(uow, type="ley", number="32999", issued_on=dt.date(2026, 2, 1), effective_date=D,
                         values={"requirements.qualifying_contributions": "8"}, publication="El Peruano 2026-02-02",
                         approved_by="Congreso de la República", actor="admin:1")
        uow.commit()
    with SqlUnitOfWork(migrated_url) as uow:
        ps = g.operational_parameters(uow)
    before, after = _case(dt.date(2026, 2, 28), 8), _case(D, 8)
    # Evaluated on the contingency's date (the dated reading): the claim date is after D for both.
    assert not evaluate_case(before, ps, at=before.separation_date).eligible
    assert evaluate_case(after, ps, at=after.separation_date).eligible
    assert ps.at(dt.date(2026, 2, 28))["requirements.qualifying_contributions"] == 12
    assert ps.at(D)["requirements.qualifying_contributions"] == 8
    assert dict(ps["requirements.qualifying_contributions"].instruments) == {D: "Ley N° 32999"}
    # The baseline alone (what the law's YAML says) is unchanged.
    assert default_parameters().at(D)["requirements.qualifying_contributions"] == 12


@pytest.mark.parametrize("kind", ["decreto_supremo", "resolucion", "acuerdo_directorio"])
def test_law_fixed_value_refused_unless_ley(kind: str) -> None:
    ps = default_parameters()
    for name, value in (("financing.contribution_rate", "0.02"), ("benefits.rates", "0.7,0.7"),
                        ("requirements.qualifying_window_months", "36")):
        with pytest.raises(ParameterError, match="only a Ley can change it"):
            ps.with_instruments([Instrument(kind, "1-2026", D, D, {name: value})])
    # Not law-fixed (art. 7 leaves it to the Reglamento within 7-30 days): a Decreto Supremo may.
    assert ps.with_instruments([Instrument("decreto_supremo", "1", D, D,
                                           {"requirements.waiting_period_days": "15"})]).at(D)[
        "requirements.waiting_period_days"] == 15


def test_law_fixed_refused_in_the_database_nothing_written(migrated_url: str) -> None:
    with SqlUnitOfWork(migrated_url) as uow:
        with pytest.raises(ParameterError, match="only a Ley"):
            g.add_instrument(uow, type="decreto_supremo", number="005-2026-TR", issued_on=D, effective_date=D,
                             values={"financing.employer_rate": "0.0060"}, actor="admin:1")
        with pytest.raises(ParameterError, match="above the maximum 30"):
            g.add_instrument(uow, type="decreto_supremo", number="006-2026-TR", issued_on=D, effective_date=D,
                             values={"requirements.waiting_period_days": "45"}, actor="admin:1")
        uow.commit()
        assert g.list_instruments(uow) == []


def test_instrument_rows_are_append_only_and_unique(migrated_url: str) -> None:
    with SqlUnitOfWork(migrated_url) as uow:
        g.add_instrument(uow, type="decreto_supremo", number="003-2026-TR", issued_on=D, effective_date=D,
                         values={"requirements.waiting_period_days": "10"}, actor="admin:1")
        with pytest.raises(ConflictError, match="already recorded"):
            g.add_instrument(uow, type="decreto_supremo", number="003-2026-TR", issued_on=D, effective_date=D,
                             values={"requirements.waiting_period_days": "12"}, actor="admin:1")
        uow.commit()
    _refused(migrated_url, sa.exc.DBAPIError, "update gov_instrument set number = 'x'", "delete from gov_instrument")
    _refused(migrated_url, sa.exc.IntegrityError,    # effective before issued
             "insert into gov_instrument (type, number, issued_on, effective_date, publication, "
             "approved_by, params, recorded_by, recorded_at) values ('ley', '9', '2026-03-01', "
             "'2026-01-01', '', '', '{}', 'x', '2026-01-01 00:00:00')")


def test_operations_refuse_what_if_parameters(migrated_url: str) -> None:
    what_if = default_parameters().with_overrides({"requirements.waiting_period_days": "30"}, name="cli")
    with SqlUnitOfWork(migrated_url) as uow, pytest.raises(ParameterError, match="what-if"):
        g.operational_parameters(uow, what_if)


# ---------------------------------------------------------------------------------------- the board


def _propose(uow: Any) -> int:
    return g.draft_proposal(uow, kind="waiting_period", title="Período de carencia de 15 días", actor="board:1",
                            on=dt.date(2026, 4, 1), values={"requirements.waiting_period_days": "15"},
                            effective_date=dt.date(2026, 6, 1),
                            documents=[{"title": "Informe técnico 01-2026", "href": "https://example.org/i"}])


def test_proposal_without_quorum_is_not_approved(migrated_url: str) -> None:
    with SqlUnitOfWork(migrated_url) as uow:
        p = _propose(uow)
        g.cast_vote(uow, p, sector="state", member="E1", choice="yes", actor="board:1", on=dt.date(2026, 4, 2))
        g.cast_vote(uow, p, sector="employers", member="P1", choice="yes", actor="board:2", on=dt.date(2026, 4, 2))
        out = g.decide(uow, p, actor="board:1", on=dt.date(2026, 4, 3))
        uow.commit()
        assert out["status"] == "rejected" and out["instrument_id"] is None
        assert "sin quórum" in out["outcome"] and "Trabajadores" in out["outcome"]
        assert g.list_instruments(uow) == []
        assert g.operational_parameters(uow).at(dt.date(2026, 7, 1))["requirements.waiting_period_days"] == 7
        with pytest.raises(ConflictError, match="already rejected"):
            g.cast_vote(uow, p, sector="workers", member="T1", choice="yes", actor="b", on=dt.date(2026, 4, 4))


def test_three_sectors_approve_and_the_proposal_becomes_an_instrument(migrated_url: str) -> None:
    with SqlUnitOfWork(migrated_url) as uow:
        p = _propose(uow)
        for sector, member in (("state", "E1"), ("employers", "P1"), ("workers", "T1")):
            g.cast_vote(uow, p, sector=sector, member=member, choice="yes" if sector != "workers" else "no",
                        actor="board", on=dt.date(2026, 4, 2))
        with pytest.raises(ConflictError, match="seat"):
            g.cast_vote(uow, p, sector="state", member="E2", choice="yes", actor="board", on=dt.date(2026, 4, 2))
        out = g.decide(uow, p, actor="board:1", on=dt.date(2026, 4, 3))
        uow.commit()
    assert out["status"] == "approved", out
    with SqlUnitOfWork(migrated_url) as uow:
        [ins] = g.list_instruments(uow)
        assert ins["type"] == "acuerdo_directorio" and ins["proposal_id"] == p
        ps = g.operational_parameters(uow)
        assert ps.at(dt.date(2026, 5, 31))["requirements.waiting_period_days"] == 7
        assert ps.at(dt.date(2026, 6, 1))["requirements.waiting_period_days"] == 15
        hist = {h["name"]: h for h in g.parameter_history(uow)}["requirements.waiting_period_days"]["history"]
        assert hist[-1]["source"] == ins["title"] and hist[-1]["instrument"]
        # Everything audited, in the hash chain: the draft, three votes, the decision, the instrument.
        from seguro_desempleo.claims.audit import verify_chain
        from seguro_desempleo.storage.claims_repositories import SqlAuditSink

        sink = SqlAuditSink(uow.session)
        actions = [r.action for r in sink.for_entity(f"proposal:{p}")]
        assert actions == ["proposal.drafted", "proposal.vote", "proposal.vote", "proposal.vote", "proposal.decided"]
        assert [r.action for r in sink.for_entity(f"instrument:{ins['id']}")] == ["instrument.recorded"]
        assert verify_chain(sink.records()).ok


def test_tally_majority_and_quorum_are_parameters() -> None:
    votes = [("state", "yes"), ("employers", "no"), ("workers", "abstain")]
    t = gd.tally(votes, seats_per_sector=1, quorum=Decimal("0.5"), majority=Decimal("0.5"))
    assert t.quorum and not t.majority and "sin mayoría" in t.reason
    t = gd.tally([*votes[:1], ("employers", "yes"), ("workers", "no")], seats_per_sector=1,
                 quorum=Decimal("0.5"), majority=Decimal("0.5"))
    assert t.approved
    # Two seats a sector: three of six directors is not more than half.
    t = gd.tally([("state", "yes"), ("employers", "yes"), ("workers", "yes")], seats_per_sector=2,
                 quorum=Decimal("0.5"), majority=Decimal("0.5"))
    assert not t.quorum and not t.approved


def test_rate_revision_carries_its_valuation_and_waits_for_a_ley(migrated_url: str) -> None:
    with SqlUnitOfWork(migrated_url) as uow:
        p = g.draft_proposal(uow, kind="rate_revision", title="Tasa 1.30 %", actor="board:1", on=dt.date(2026, 4, 1),
                             values={"financing.contribution_rate": "0.0130", "financing.employer_rate": "0.0065",
                                     "financing.cts_rate": "0.0065"}, effective_date=dt.date(2027, 1, 1))
        detail = g.proposal_detail(uow, p, dt.date(2026, 4, 1))
        assert detail["proposal"].valuation["rate"] == "0.0130"
        assert "OIT" in detail["proposal"].valuation["basis"]
        for sector in gd.SECTORS:
            g.cast_vote(uow, p, sector=sector, member=sector, choice="yes", actor="board", on=dt.date(2026, 4, 2))
        out = g.decide(uow, p, actor="board:1", on=dt.date(2026, 4, 3))
        uow.commit()
        assert out["status"] == "approved" and out["instrument_id"] is None and "requiere Ley" in out["outcome"]
    _refused(migrated_url, sa.exc.IntegrityError,    # the database refuses a rate revision without its valuation
             "insert into gov_proposal (kind, title, summary, params, documents, status, outcome, "
             "drafted_by, created_on) values ('rate_revision', 't', '', '{}', '[]', 'open', '', 'x', '2026-01-01')")


# ---------------------------------------------------------------------------- books and statements


def _books(uow: Any) -> None:
    ledger.post(uow, "contribution.declared", [("1210", 500_000, 0), ("4100", 0, 500_000)], at=dt.date(2025, 2, 10))
    ledger.post(uow, "employer.payment", [("1010", 450_000, 0), ("1210", 0, 450_000)], at=dt.date(2025, 3, 5))
    ledger.post(uow, "benefit.decided", [("5100", 120_000, 0), ("2100", 0, 120_000)], at=dt.date(2025, 4, 1))
    ledger.post(uow, "benefit.paid", [("2100", 100_000, 0), ("1010", 0, 100_000)], at=dt.date(2025, 4, 30))
    g.accrue_admin_cost(uow, 8_000, at=dt.date(2025, 4, 30), actor="admin")
    g.pay_admin_cost(uow, 5_000, at=dt.date(2025, 5, 2), actor="admin")
    g.invest(uow, 200_000, at=dt.date(2025, 6, 1), actor="admin")
    g.investment_income(uow, 3_500, at=dt.date(2025, 12, 31), actor="admin")


def test_statements_agree_with_the_trial_balance(migrated_url: str) -> None:
    with SqlUnitOfWork(migrated_url) as uow:
        _books(uow)
        uow.commit()
    with SqlUnitOfWork(migrated_url) as uow:
        year = g.fund_statements(uow, "2025")
        tb = ledger.trial_balance(uow, until=dt.date(2025, 12, 31))
        by_kind: dict[str, int] = {}
        for a in tb.accounts:
            by_kind[a.kind] = by_kind.get(a.kind, 0) + a.balance
        assert year.total_assets == by_kind["asset"]                    # 1010 145,000 + 1100 203,500 + 1210 50,000
        assert year.total_assets == 145_000 + 203_500 + 50_000
        assert year.total_liabilities == by_kind["liability"] == 20_000 + 3_000
        assert year.result == by_kind["income"] - by_kind["expense"] == 503_500 - 128_000
        assert year.total_assets == year.total_liabilities + year.total_reserves
        assert (year.trial_debit, year.trial_credit) == (tb.total_debit, tb.total_credit)
        april = g.fund_statements(uow, "2025-04")
        assert april.total_expenses == 128_000 and april.total_income == 0
        assert g.available_cash(uow, dt.date(2025, 4, 30)) == 350_000
        assert g.available_cash(uow) == 145_000
        with pytest.raises(ConflictError, match="bank account holds"):
            g.invest(uow, 145_001, at=dt.date(2025, 12, 31), actor="admin")
        # The yearly close: the result to the reserve; the income statement still shows the year.
        assert g.year_close(uow, 2025, actor="admin") is not None
        assert g.year_close(uow, 2025, actor="admin") is None
        uow.commit()
    with SqlUnitOfWork(migrated_url) as uow:
        closed = g.fund_statements(uow, "2025")
        assert closed.result == 375_500 and closed.unclosed_result == 0
        assert [(r.code, r.amount) for r in closed.reserves] == [("3100", 375_500), ("3900", 0)]
        assert closed.total_assets == closed.total_liabilities + closed.total_reserves
        text = statements_csv(closed)
        assert "Total activo,3985.00" in text.replace('"', "") and "Resultado del período,3755.00" in text
        ledger.verify(uow)


def test_closing_lines_with_a_deficit_keep_it_in_the_result() -> None:
    lines = gd.closing_lines({"4100": (0, 100), "5100": (300, 0)}, result_account="3900", reserve_account="3100",
                             appropriate=True)
    assert sorted(lines) == sorted([("4100", 100, 0), ("5100", 0, 300), ("3900", 200, 0)])


def test_art9_transfer_by_instrument_and_its_receipt(migrated_url: str) -> None:
    with SqlUnitOfWork(migrated_url) as uow:
        i = g.add_instrument(uow, type="decreto_supremo", number="010-2026-EF", issued_on=D, effective_date=D,
                             values={}, transfer_cents=1_000_000, actor="admin", publication="El Peruano")
        g.transfer_received(uow, i, 600_000, at=dt.date(2026, 4, 1), actor="admin")
        with pytest.raises(ConflictError, match="400000 céntimos left"):
            g.transfer_received(uow, i, 400_001, at=dt.date(2026, 4, 2), actor="admin")
        uow.commit()
        bal = {a.code: a.balance for a in ledger.balances(uow)}
        assert (bal["1300"], bal["4400"], bal["1010"]) == (400_000, 1_000_000, 600_000)


# ----------------------------------------------------------------------------------------- triggers


def _spent(uow: Any, benefits: int, reserve: int) -> None:
    ledger.post(uow, "seed", [("1010", benefits + reserve, 0), ("4100", 0, benefits + reserve)],
                at=dt.date(2025, 1, 5))
    ledger.post(uow, "benefit.paid", [("5100", benefits, 0), ("1010", 0, benefits)], at=dt.date(2025, 6, 1))


@pytest.mark.parametrize(("reserve", "fires"), [(240_000, False), (239_999, True)])
def test_reserve_trigger_fires_below_its_target(migrated_url: str, reserve: int, fires: bool) -> None:
    """Benefits of S/ 1,200.00 in the twelve months (S/ 100.00 a month); target 24 months = S/ 2,400.00."""
    with SqlUnitOfWork(migrated_url) as uow:
        _spent(uow, 120_000, reserve)
        alerts = g.check_triggers(uow, dt.date(2025, 12, 31), actor="system")
        uow.commit()
        assert [a["kind"] for a in alerts] == (["reserve_below_target"] if fires else [])
        if fires:
            detail = g.proposal_detail(uow, alerts[0]["proposal_id"], dt.date(2025, 12, 31))
            assert detail["proposal"].kind == "rate_revision" and detail["proposal"].valuation is not None
            assert g.check_triggers(uow, dt.date(2025, 12, 31), actor="system") == []   # once a day


def test_depletion_trigger_fires_above_its_threshold() -> None:
    at = gd.triggers(ratio_months=None, target_months=Decimal(24), depletion_probability=Decimal("0.05"),
                     depletion_threshold=Decimal("0.05"))
    above = gd.triggers(ratio_months=None, target_months=Decimal(24), depletion_probability=Decimal("0.0501"),
                        depletion_threshold=Decimal("0.05"))
    assert at == [] and [a.kind for a in above] == ["depletion_probability"]
    half = gd.triggers(ratio_months=Decimal("11.9"), target_months=Decimal(24), depletion_probability=None,
                       depletion_threshold=Decimal("0.05"))
    assert [a.proposal_kind for a in half] == ["rate_revision", "transfer_request"]


def test_bad_input_one_line() -> None:
    with pytest.raises(InputError, match="YYYY-MM"):
        g.period_bounds("2025/13")


def test_investment_policy_approved_is_recorded_as_an_acuerdo(migrated_url: str) -> None:
    with SqlUnitOfWork(migrated_url) as uow:
        p = g.draft_proposal(uow, kind="investment_policy", title="Política de inversión 2026", actor="board:1",
                             on=dt.date(2026, 4, 1), documents=[{"title": "Política", "href": ""}])
        for sector in gd.SECTORS:
            g.cast_vote(uow, p, sector=sector, member=sector, choice="yes", actor="board", on=dt.date(2026, 4, 2))
        out = g.decide(uow, p, actor="board:1", on=dt.date(2026, 4, 3))
        uow.commit()
        [ins] = g.list_instruments(uow)
        assert out["instrument_id"] == ins["id"] and ins["values"] == {} and ins["title"] == "Acuerdo de Directorio N° 2026-0001"
        with pytest.raises(InputError, match="at least one value"):
            g.add_instrument(uow, type="resolucion", number="7", issued_on=D, effective_date=D, values={}, actor="x")
