"""Governance of the fund (issue 28; PL 5510/2022-CR arts. 8, 9, 10 and 12) over the database.

- **Instruments**: :func:`add_instrument`, :func:`list_instruments`, :func:`operational_parameters`
  (the YAML baseline + every instrument in force: what claims, payments and the books run on);
  :func:`parameters_for` is the one place every operational path obtains them (issue 28).
- **The board** (art. 12): :func:`draft_proposal`, :func:`cast_vote`, :func:`decide` — an approved
  proposal becomes an instrument (an Acuerdo de Directorio; a law-fixed value waits for its Ley).
- **The art. 10 study**: :func:`run_study` reads the books and stores the figures with the
  ``experience-YYYY`` assumption set the valuation engine loads (:func:`experience_assumptions`).
- **Solvency in the books** (arts. 8, 9): admin costs, investments and their income, the art. 9
  transfer, the yearly close with the reserve appropriation, :func:`fund_statements`, and
  :func:`available_cash` (the bank account's balance on a date, for the payment run's check).
- **Triggers**: :func:`check_triggers` raises board alerts and drafts their proposals.

Everything that changes governance is written to the hash-chained audit log in the same
transaction. Money is integer céntimos.

The records are reached through the unit of work's ``governance`` repository (the port
:class:`seguro_desempleo.domain.governance.GovernanceRepository`; in SQL:
:mod:`seguro_desempleo.storage.governance_repository`): no SQL and no ORM here (issue 24).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from seguro_desempleo.domain import governance as gd
from seguro_desempleo.domain.ledger import Accounts
from seguro_desempleo.errors import ConflictError, InputError, NotFoundError, ParameterError
from seguro_desempleo.parameters.model import (
    INSTRUMENT_TYPES,
    Instrument,
    ParameterSet,
    check_instrument,
    default_parameters,
    to_jsonable,
)
from seguro_desempleo.services import ledger

YEAR_CLOSE_EVENT = "fund.year_close"
BASELINE_SOURCE = "Texto del proyecto de ley (parámetro base)"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _repo(uow: Any) -> gd.GovernanceRepository:
    repo: gd.GovernanceRepository = uow.governance
    return repo


def _audit(uow: Any, actor: str, action: str, entity: str, before: Any, after: Any) -> None:
    _repo(uow).audit(actor, action, entity, before, after)


# -------------------------------------------------------------------------------------- instruments


def _instrument(row: Any) -> Instrument:
    return Instrument(type=row.type, number=row.number, issued_on=row.issued_on, effective_date=row.effective_date,
                      values=dict(row.params or {}), publication=row.publication, approved_by=row.approved_by,
                      seq=row.id)


def load_instruments(uow: Any) -> list[Instrument]:
    return [_instrument(r) for r in _repo(uow).instruments()]


def operational_parameters(uow: Any, base: ParameterSet | None = None) -> ParameterSet:
    """The law's baseline (YAML) plus every instrument recorded: the parameters of operations.

    A what-if set (``--param``, a reform) is refused here: operations never run on one."""
    ps = (base or default_parameters()).require_operational("operations")
    stamp = _instruments_stamp(uow)
    if stamp is not None:
        if stamp[2] == 0:
            return ps                  # no instrument: the baseline, as below
        hit = _BY_STAMP.get((id(ps), stamp))
        if hit is not None and hit[0] is ps:
            return hit[1]
    instruments = load_instruments(uow)
    if not instruments:
        return ps                      # the same object: its per-date snapshot cache is kept
    key = (id(ps), tuple((i.seq, i.type, i.number, i.effective_date,
                          tuple(sorted((k, json.dumps(v)) for k, v in i.values.items()))) for i in instruments))
    cached = _OPERATIONAL.get(key)
    if cached is None or cached[0] is not ps:
        if len(_OPERATIONAL) > 16:
            _OPERATIONAL.clear()
        cached = _OPERATIONAL[key] = (ps, ps.with_instruments(instruments))
    if stamp is not None:
        if len(_BY_STAMP) > 64:
            _BY_STAMP.clear()
        _BY_STAMP[(id(ps), stamp)] = cached
    return cached[1]


def _instruments_stamp(uow: Any) -> tuple[Any, ...] | None:
    """Which instruments a database holds, in one small query (issue 25: speed; the repository's
    ``instruments_stamp``: the database, the count, the highest id, the latest recording time).
    Instruments are append-only (the database's triggers refuse updates and deletes), so a new
    instrument changes the stamp and the parameters are built again; ``None`` where the store
    has no stamp (an in-memory one)."""
    stamp = getattr(_repo(uow), "instruments_stamp", None)
    return stamp() if stamp is not None else None


_BY_STAMP: dict[tuple[Any, ...], tuple[ParameterSet, ParameterSet]] = {}
"""Baseline + instruments by (baseline, :func:`_instruments_stamp`): a request reads the stamp,
not every instrument (``claims_context`` builds the parameters on each request)."""


_OPERATIONAL: dict[tuple[Any, ...], tuple[ParameterSet, ParameterSet]] = {}
"""Baseline + instruments, built once per (baseline, set of instruments): instruments are append-only."""


def parameters_for(uow: Any, params: ParameterSet | None = None) -> ParameterSet:
    """The one place an operation (payroll import, employer payments, the registry, claims)
    obtains its parameters: the law's baseline plus the instruments recorded in *uow*'s database
    (:func:`operational_parameters`). A what-if set passed in explicitly (a test's, an analyst's
    reform handed to a service) is used as it is, as ``claims_context`` always did; entry points
    never pass one to operations. Applying the instruments to a set that already has them changes
    nothing (each sets the same value at the same date)."""
    if params is not None and params.is_what_if:
        return params
    return operational_parameters(uow, params)


def _values_json(ps: ParameterSet, values: Mapping[str, Any]) -> dict[str, Any]:
    from seguro_desempleo.parameters.model import coerce_value

    return {name: to_jsonable(coerce_value(ps[name], raw, where="instrument")) for name, raw in values.items()}


def add_instrument(uow: Any, *, type: str, number: str, issued_on: dt.date, effective_date: dt.date,
                   values: Mapping[str, Any], publication: str = "", approved_by: str = "", actor: str,
                   proposal_id: int | None = None, transfer_cents: int | None = None,
                   base: ParameterSet | None = None) -> int:
    """Record a legal instrument; its values enter the parameters from its effective date.

    Refused (nothing written): an unknown type or parameter, a value outside its unit or bounds, a
    law-fixed value changed by anything but a Ley, a duplicate (type, number), an effective date
    before the instrument's date, an art. 9 transfer that is not positive. An instrument with an
    art. 9 transfer posts it as receivable from the Treasury on its effective date."""
    type = (type or "").strip().lower()
    number = (number or "").strip()
    if len(number) > 40:
        raise InputError("at most 40 characters", field="number")
    if transfer_cents is not None and transfer_cents <= 0:
        raise InputError("the art. 9 transfer must be more than zero", field="transfer")
    if not values and transfer_cents is None and proposal_id is None:
        raise InputError("an instrument must set at least one value or an art. 9 transfer", field="values")
    current = operational_parameters(uow, base)
    ins = Instrument(type=type, number=number, issued_on=issued_on, effective_date=effective_date,
                     values=dict(values), publication=publication, approved_by=approved_by, seq=10**9)
    check_instrument(current, ins)
    current.with_instruments([ins])          # units, bounds with their article, the art. 8 split
    repo = _repo(uow)
    if repo.instrument_exists(type, number):
        raise ConflictError(f"{ins.title} is already recorded", field="number")
    params = _values_json(current, values)
    iid = repo.add_instrument(type=type, number=number, issued_on=issued_on, effective_date=effective_date,
                              publication=publication[:200], approved_by=approved_by[:200], params=params,
                              transfer_cents=transfer_cents, proposal_id=proposal_id, recorded_by=actor[:80],
                              recorded_at=_now())
    if transfer_cents:
        ledger.post_once(uow, f"art9-transfer:{iid}", "fund.transfer_receivable",
                         [(Accounts.TRANSFER_RECEIVABLE, transfer_cents, 0), (Accounts.TRANSFER_INCOME, 0, transfer_cents)],
                         ref=f"instrument:{iid}", at=effective_date)
    _audit(uow, actor, "instrument.recorded", f"instrument:{iid}", None,
           {"type": type, "number": number, "issued_on": issued_on, "effective_date": effective_date,
            "values": params, "transfer_cents": transfer_cents, "proposal": proposal_id})
    return iid


def list_instruments(uow: Any) -> list[dict[str, Any]]:
    rows = _repo(uow).instruments()
    return [{"id": r.id, "type": r.type, "type_label": INSTRUMENT_TYPES[r.type], "number": r.number,
             "title": _instrument(r).title, "issued_on": r.issued_on, "effective_date": r.effective_date,
             "publication": r.publication, "approved_by": r.approved_by, "values": dict(r.params or {}),
             "transfer_cents": r.transfer_cents, "proposal_id": r.proposal_id} for r in rows]


def parameter_history(uow: Any, base: ParameterSet | None = None) -> list[dict[str, Any]]:
    """Every parameter with its dated values, each with the instrument that set it (or the baseline)."""
    ps = operational_parameters(uow, base)
    out = []
    for name in ps.names():
        p = ps[name]
        origins = dict(p.instruments)
        out.append({"name": name, "label": p.label, "unit": p.unit, "reference": p.reference,
                    "fixed_by_law": p.fixed_by_law,
                    "history": [{"from": d, "value": to_jsonable(v), "source": origins.get(d, BASELINE_SOURCE),
                                 "instrument": d in origins} for d, v in p.values]})
    return out


# ---------------------------------------------------------------------------------------- the board


def supporting_valuation(rate: Decimal | None = None, assumptions: str | None = None,
                         uow: Any = None) -> dict[str, Any]:
    """The valuation a rate revision carries (art. 8 via art. 10): the projection at *rate* on the
    latest experience study's set when there is one (read through *uow*), else the ILO 2021
    national set (labelled as such)."""
    from seguro_desempleo.actuarial.projection import project
    from seguro_desempleo.actuarial.valuation import Request, build, table

    name = assumptions or "ilo-2021"
    if name.startswith("experience-") and uow is not None:
        from seguro_desempleo.services.governance_study import _experience_from

        a = _experience_from(uow, int(name.removeprefix("experience-")), name)
        if rate is not None:
            a = a.replace(contribution_rate=rate)
    else:
        a = build(Request(assumptions=name, rate=rate))
    rows = table(project(a))
    last = rows[-1]
    return {"assumptions": a.name, "basis": basis_label(a.name), "rate": str(a.contribution_rate),
            "last_year": last["year"], "reserve_ratio_last_year": str(last["reserve_ratio"]),
            "reserve_last_year_thousands": str(last["reserve"])}


def basis_label(assumption_set: str) -> str:
    if assumption_set.startswith("experience-"):
        return f"Estudio de experiencia del fondo ({assumption_set.removeprefix('experience-')}), art. 10"
    if assumption_set == "ilo-2021":
        return "Proyección nacional OIT 2021 (no es la valuación de este fondo)"
    return assumption_set


def draft_proposal(uow: Any, *, kind: str, title: str, actor: str, on: dt.date, summary: str = "",
                   values: Mapping[str, Any] | None = None, effective_date: dt.date | None = None,
                   transfer_cents: int | None = None, documents: Sequence[Mapping[str, str]] = (),
                   valuation: Mapping[str, Any] | None = None, base: ParameterSet | None = None) -> int:
    """A proposal to the board. Its values are checked now (units, bounds); a rate revision carries
    the valuation that supports it (art. 8: any change of the rate "deberá considerar los estudios
    financieros actuariales" of art. 10) — computed here at the proposed rate when not given."""
    if kind not in gd.PROPOSAL_KINDS:
        raise InputError(f"unknown kind '{kind}' (one of {', '.join(gd.PROPOSAL_KINDS)})", field="kind")
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise InputError("a title of 1-200 characters is required", field="title")
    values = dict(values or {})
    ps = operational_parameters(uow, base)
    if values:
        if effective_date is None:
            raise InputError("a proposal that changes values needs its effective date", field="effective_date")
        ps.with_instruments([Instrument("ley", "check", effective_date, effective_date, values)])
    if transfer_cents is not None and transfer_cents <= 0:
        raise InputError("the art. 9 transfer must be more than zero", field="transfer")
    for i, d in enumerate(documents, 1):
        if not str(d.get("title", "")).strip():
            raise InputError("each document needs a title", field=f"documents[{i}]")
    if kind == "rate_revision" and valuation is None:
        rate = values.get("financing.contribution_rate")
        from seguro_desempleo.services.governance_study import latest_experience_set

        valuation = supporting_valuation(Decimal(str(rate)) if rate is not None else None,
                                         latest_experience_set(uow), uow)
    params = _values_json(ps, values) if values else {}
    pid = _repo(uow).add_proposal(
        kind=kind, title=title, summary=summary, params=params, effective_date=effective_date,
        transfer_cents=transfer_cents,
        documents=[{"title": str(d["title"]), "href": str(d.get("href", ""))} for d in documents],
        valuation=dict(valuation) if valuation is not None else None, status="open", outcome="",
        drafted_by=actor[:80], created_on=on)
    _audit(uow, actor, "proposal.drafted", f"proposal:{pid}", None,
           {"kind": kind, "title": title, "values": params, "effective_date": effective_date,
            "transfer_cents": transfer_cents})
    return pid


def _proposal(uow: Any, proposal_id: int, *, lock: bool = False) -> Any:
    row = _repo(uow).proposal(proposal_id, lock=lock)
    if row is None:
        raise NotFoundError(f"no proposal {proposal_id}", field="proposal")
    return row


def cast_vote(uow: Any, proposal_id: int, *, sector: str, member: str, choice: str, actor: str,
              on: dt.date, base: ParameterSet | None = None) -> None:
    """One director's vote (State, employers or workers) on an open proposal; once per director,
    and no more directors of a sector than its seats."""
    row = _proposal(uow, proposal_id, lock=True)
    if row.status != "open":
        raise ConflictError(f"proposal {proposal_id} is already {row.status}", field="proposal")
    if sector not in gd.SECTORS:
        raise InputError(f"unknown sector '{sector}' (one of {', '.join(gd.SECTORS)})", field="sector")
    if choice not in gd.CHOICES:
        raise InputError(f"unknown vote '{choice}' (one of {', '.join(gd.CHOICES)})", field="choice")
    member = (member or "").strip()
    if not member or len(member) > 80:
        raise InputError("the director's code (1-80 characters) is required", field="member")
    repo = _repo(uow)
    if repo.has_voted(proposal_id, member):
        raise ConflictError(f"director '{member}' has already voted on proposal {proposal_id}", field="member")
    seats = int(operational_parameters(uow, base).at(on)["governance.board_seats_per_sector"])
    if repo.votes_in_sector(proposal_id, sector) >= seats:
        raise ConflictError(f"the {gd.SECTOR_LABELS[sector]} sector has {seats} seat(s), all have voted",
                            field="sector")
    repo.add_vote(proposal_id=proposal_id, sector=sector, member=member, choice=choice, cast_on=on)
    _audit(uow, actor, "proposal.vote", f"proposal:{proposal_id}", None,
           {"sector": sector, "member": member, "choice": choice})


def proposal_tally(uow: Any, proposal_id: int, on: dt.date, base: ParameterSet | None = None) -> gd.Tally:
    snap = operational_parameters(uow, base).at(on)
    return gd.tally(_repo(uow).vote_choices(proposal_id), seats_per_sector=int(snap["governance.board_seats_per_sector"]),
                    quorum=Decimal(snap["governance.board_quorum"]),
                    majority=Decimal(snap["governance.board_majority"]))


def decide(uow: Any, proposal_id: int, *, actor: str, on: dt.date, base: ParameterSet | None = None) -> dict[str, Any]:
    """Close the vote: approved with quorum and majority, else rejected (the reason says which).

    An approved proposal becomes an Acuerdo de Directorio instrument with its values from its
    effective date — except values the law fixes (art. 8's rate, arts. 4-5), which the board can
    only propose: the proposal is approved and waits for its Ley (``instrument add --type ley
    --proposal N``)."""
    row = _proposal(uow, proposal_id, lock=True)
    if row.status != "open":
        raise ConflictError(f"proposal {proposal_id} is already {row.status}", field="proposal")
    t = proposal_tally(uow, proposal_id, on, base)
    instrument_id = None
    outcome = t.reason
    if t.approved:
        ps = operational_parameters(uow, base)
        fixed = [n for n in (row.params or {}) if ps[n].fixed_by_law]
        if fixed:
            outcome = f"{t.reason}; requiere Ley (valor fijado por la ley: {', '.join(fixed)})"
        else:
            instrument_id = add_instrument(
                uow, type="acuerdo_directorio", number=f"{on.year}-{proposal_id:04d}", issued_on=on,
                effective_date=max(row.effective_date or on, on), values=row.params or {},
                publication="Acta del directorio", approved_by="Directorio (art. 12)", actor=actor,
                proposal_id=proposal_id, base=base)
    before = {"status": row.status}
    status = "approved" if t.approved else "rejected"
    outcome = outcome[:200]
    _repo(uow).close_proposal(proposal_id, status=status, outcome=outcome, decided_on=on)
    _audit(uow, actor, "proposal.decided", f"proposal:{proposal_id}", before,
           {"status": status, "outcome": outcome, "instrument": instrument_id})
    return {"status": status, "outcome": outcome, "instrument_id": instrument_id, "tally": t}


def list_proposals(uow: Any) -> list[Any]:
    return _repo(uow).proposals()


def proposal_detail(uow: Any, proposal_id: int, on: dt.date, base: ParameterSet | None = None) -> dict[str, Any]:
    row = _proposal(uow, proposal_id)
    repo = _repo(uow)
    return {"proposal": row, "votes": repo.votes(proposal_id),
            "tally": proposal_tally(uow, proposal_id, on, base), "instrument": repo.instrument_for_proposal(proposal_id),
            "kind_label": gd.PROPOSAL_KINDS[row.kind]}


# ----------------------------------------------------------------------------------------- the books


def _post(uow: Any, event: str, lines: list[tuple[str, int, int]], at: dt.date, ref: str | None, actor: str) -> int:
    entry = ledger.post(uow, event, lines, ref=ref, at=at)
    _audit(uow, actor, event, f"ledger_entry:{entry}", None, {"lines": [list(x) for x in lines], "at": at})
    return entry


def _amount(cents: int, field: str = "amount") -> int:
    if isinstance(cents, bool) or not isinstance(cents, int) or cents <= 0:
        raise InputError("must be more than zero céntimos", field=field)
    return cents


def accrue_admin_cost(uow: Any, cents: int, *, at: dt.date, actor: str, ref: str | None = None) -> int:
    """An administrative cost of the fund incurred (art. 8 "gastos administrativos"), payable."""
    c = _amount(cents)
    return _post(uow, "fund.admin_cost", [(Accounts.ADMIN_EXPENSE, c, 0), (Accounts.ADMIN_PAYABLE, 0, c)], at, ref,
                 actor)


def pay_admin_cost(uow: Any, cents: int, *, at: dt.date, actor: str, ref: str | None = None) -> int:
    c = _amount(cents)
    _check_cash(uow, c, at)
    return _post(uow, "fund.admin_paid", [(Accounts.ADMIN_PAYABLE, c, 0), (Accounts.BANK, 0, c)], at, ref, actor)


def invest(uow: Any, cents: int, *, at: dt.date, actor: str, ref: str | None = None) -> int:
    """Move cash into the reserve's investments (the board's investment policy)."""
    c = _amount(cents)
    _check_cash(uow, c, at)
    return _post(uow, "fund.invest", [(Accounts.INVESTMENTS, c, 0), (Accounts.BANK, 0, c)], at, ref, actor)


def investment_income(uow: Any, cents: int, *, at: dt.date, actor: str, reinvested: bool = True,
                      ref: str | None = None) -> int:
    """Income earned by the reserve's investments (kept invested, or paid into the bank)."""
    c = _amount(cents)
    debit = Accounts.INVESTMENTS if reinvested else Accounts.BANK
    return _post(uow, "fund.investment_income", [(debit, c, 0), (Accounts.INVESTMENT_INCOME, 0, c)], at, ref, actor)


def transfer_received(uow: Any, instrument_id: int, cents: int, *, at: dt.date, actor: str) -> int:
    """The Treasury's art. 9 transfer arriving in the bank against the instrument that set it."""
    c = _amount(cents)
    row = _repo(uow).instrument(instrument_id)
    if row is None or not row.transfer_cents:
        raise NotFoundError(f"no instrument {instrument_id} with an art. 9 transfer", field="instrument")
    received = _received_for(uow, instrument_id)
    if received + c > row.transfer_cents:
        raise ConflictError(f"more than the instrument's transfer ({row.transfer_cents - received} céntimos left)",
                            field="amount")
    return _post(uow, "fund.transfer_received", [(Accounts.BANK, c, 0), (Accounts.TRANSFER_RECEIVABLE, 0, c)], at,
                 f"instrument:{instrument_id}", actor)


def _received_for(uow: Any, instrument_id: int) -> int:
    return sum(d for *_, lines in uow.ledger.entries(ref=f"instrument:{instrument_id}")
               for a, d, _ in lines if a == Accounts.BANK)


def available_cash(uow: Any, at: dt.date | None = None) -> int:
    """Céntimos in the fund's bank account (1010) by the end of *at* (all entries when None).

    What a payment run may pay out: a run whose total exceeds it should stop before any transfer.
    (Helper A's payment-run fund check can call this instead of reading the account itself.)"""
    totals = uow.ledger.totals() if at is None else uow.ledger.totals_from_lines(at)
    d, c = totals.get(Accounts.BANK, (0, 0))
    return int(d) - int(c)


def _check_cash(uow: Any, cents: int, at: dt.date) -> None:
    cash = available_cash(uow, at)
    if cents > cash:
        raise ConflictError(f"the fund's bank account holds {cash} céntimos on {at.isoformat()}, less than {cents}",
                            field="amount")


def _period_totals(uow: Any, start: dt.date, end: dt.date) -> dict[str, tuple[int, int]]:
    return _repo(uow).period_totals(start, end, exclude_event=YEAR_CLOSE_EVENT)


def year_close(uow: Any, year: int, *, actor: str, appropriate: bool = True) -> int | None:
    """Close the year: income and expense to the accumulated result, and the year's surplus
    appropriated to the reserve of the fund (art. 8). Once per year (None when already closed);
    refused while an earlier year with entries is still open."""
    end = dt.date(year, 12, 31)
    if uow.ledger.entry_id_for_key(f"{YEAR_CLOSE_EVENT}:{year}") is not None:
        return None
    cumulative = uow.ledger.totals_from_lines(end)
    lines = gd.closing_lines(cumulative, result_account=Accounts.ACCUMULATED_RESULT,
                             reserve_account=Accounts.RESERVE, appropriate=appropriate)
    if not lines:
        raise InputError(f"nothing to close in {year}: no income or expense", field="year")
    entry = ledger.post_once(uow, f"{YEAR_CLOSE_EVENT}:{year}", YEAR_CLOSE_EVENT, lines, ref=f"year:{year}", at=end)
    _audit(uow, actor, YEAR_CLOSE_EVENT, f"year:{year}", None, {"entry": entry, "lines": [list(x) for x in lines]})
    return entry


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """``2025`` (a year) or ``2025-03`` (a month) → its first and last day."""
    text = (period or "").strip()
    try:
        if len(text) == 4:
            y = int(text)
            return dt.date(y, 1, 1), dt.date(y, 12, 31)
        y, m = (int(x) for x in text.split("-"))
        start = dt.date(y, m, 1)
    except ValueError:
        raise InputError(f"'{period}' is not a year YYYY or a month YYYY-MM", field="period") from None
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def fund_statements(uow: Any, period: str) -> gd.Statements:
    """Balance sheet at the end of *period* and income statement for it, from the same line totals
    as the trial balance (recomputed up to the period's end)."""
    start, end = period_bounds(period)
    st = gd.statements(uow.ledger.totals_from_lines(end), _period_totals(uow, start, end), start=start, end=end)
    if not st.balanced:
        raise ConflictError(f"the statements for {period} do not reconcile with the trial balance")
    return st


# ------------------------------------------------------------------------------------------ triggers


def net_assets(uow: Any, at: dt.date) -> int:
    totals = uow.ledger.totals_from_lines(at)
    from seguro_desempleo.domain.ledger import CHART, balance_of

    assets = sum(balance_of(a.code, *totals.get(a.code, (0, 0))) for a in CHART if a.kind == "asset")
    liabilities = sum(balance_of(a.code, *totals.get(a.code, (0, 0))) for a in CHART if a.kind == "liability")
    return assets - liabilities


def reserve_position(uow: Any, on: dt.date, base: ParameterSet | None = None) -> dict[str, Any]:
    """The fund's own books: net assets, benefits of the last twelve months, the ratio in months
    and the art. 8 target (``financing.reserve_target_months``)."""
    start = on - dt.timedelta(days=365)
    flows = _period_totals(uow, start + dt.timedelta(days=1), on)
    d, c = flows.get(Accounts.BENEFITS_EXPENSE, (0, 0))
    benefits = d - c
    na = net_assets(uow, on)
    snap = operational_parameters(uow, base).at(on)
    return {"on": on, "net_assets": na, "benefits_12m": benefits, "ratio_months": gd.reserve_ratio(na, benefits),
            "target_months": Decimal(snap["financing.reserve_target_months"]),
            "depletion_threshold": Decimal(snap["governance.depletion_probability_threshold"])}


def stochastic_depletion_probability(assumptions: str, *, runs: int = 500, seed: int = 1) -> Decimal:
    """P(the reserve is exhausted within the set's horizon), from the stochastic valuation."""
    from seguro_desempleo.actuarial.assumptions import load_assumptions
    from seguro_desempleo.actuarial.stochastic import simulate

    res = simulate(load_assumptions(assumptions), runs=runs, seed=seed)
    return Decimal(str(float(res.depletion_probability()[-1]))).quantize(Decimal("0.0001"))


def check_triggers(uow: Any, on: dt.date, *, actor: str, depletion_probability: Decimal | None = None,
                   base: ParameterSet | None = None) -> list[dict[str, Any]]:
    """Raise the board alerts that fire on *on* and draft their proposals (once per kind and day)."""
    pos = reserve_position(uow, on, base)
    alerts = gd.triggers(ratio_months=pos["ratio_months"], target_months=pos["target_months"],
                         depletion_probability=depletion_probability, depletion_threshold=pos["depletion_threshold"])
    out = []
    for i, alert in enumerate(alerts):
        kind = alert.kind if not (alert.kind == "reserve_below_target" and i > 0
                                  and alerts[i - 1].kind == "reserve_below_target") else "reserve_below_half"
        if _repo(uow).alert_raised(kind, on):
            continue
        title = ("Revisión de la tasa de aportación (alerta de solvencia)" if alert.proposal_kind == "rate_revision"
                 else "Solicitud del aporte no contributivo al MEF y al MTPE (art. 9)")
        transfer = None
        if alert.proposal_kind == "transfer_request" and pos["benefits_12m"] > 0:
            gap = int(pos["target_months"] * pos["benefits_12m"] / 12) - pos["net_assets"]
            transfer = gap if gap > 0 else None
        proposal_id = draft_proposal(uow, kind=alert.proposal_kind, title=title, actor=actor, on=on,
                                     summary=alert.message, transfer_cents=transfer, base=base)
        alert_id = _repo(uow).add_alert(kind=kind, raised_on=on, measured=alert.measured,
                                        threshold=alert.threshold, message=alert.message[:300],
                                        proposal_id=proposal_id)
        _audit(uow, actor, "alert.raised", f"alert:{alert_id}", None,
               {"kind": kind, "measured": alert.measured, "threshold": alert.threshold, "proposal": proposal_id})
        out.append({"id": alert_id, "kind": kind, "message": alert.message, "proposal_id": proposal_id})
    return out


def list_alerts(uow: Any, limit: int = 20) -> list[Any]:
    return _repo(uow).alerts(limit)


def parse_values(pairs: Iterable[str]) -> dict[str, str]:
    """``NAME=VALUE`` texts (CLI/web) → a mapping; a name twice is refused."""
    from seguro_desempleo.parameters.model import parse_override

    out: dict[str, str] = {}
    for text in pairs:
        name, value = parse_override(text)
        if name in out:
            raise ParameterError("given twice", field=name)
        out[name] = value
    return out


_STUDY_NAMES = frozenset({"experience_figures", "experience_assumption_set", "run_study", "latest_studies",
                          "latest_experience_set", "study_calendar", "experience_assumptions",
                          "STUDY_HORIZON_YEARS", "_experience_from"})


def __getattr__(name: str) -> Any:
    """The art. 10 study lives in :mod:`seguro_desempleo.services.governance_study` (issue 24);
    its old names still answer here (lazily: that module imports this one)."""
    if name in _STUDY_NAMES:
        from seguro_desempleo.services import governance_study

        return getattr(governance_study, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

