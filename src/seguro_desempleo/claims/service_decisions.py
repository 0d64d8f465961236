"""Filing, deciding, approvals and overrides of :class:`~seguro_desempleo.claims.service.ClaimService`
(issue 24: split out of ``claims/service.py``, unchanged)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from seguro_desempleo.claims import plausibility
from seguro_desempleo.claims.acts import (
    ActKind,
    ActLetter,
)
from seguro_desempleo.claims.decision import (
    FILING_DEADLINE_PARAMETER,
    StoredDecision,
    check_filing_deadline,
    decision_record,
    limit_to_unemployment,
)
from seguro_desempleo.claims.ports import (
    Claim,
)
from seguro_desempleo.claims.service_base import (
    OVERRIDE_TARGETS,
    PAYABLE,
    STATE_ES,
    AutoDecideRun,
    S,
    ServiceCore,
    _not_yet_read,
    _plan_benefits,
    log,
    waiting_end,
)
from seguro_desempleo.claims.state import ClaimState, ClaimStatus
from seguro_desempleo.domain.dates import check_date
from seguro_desempleo.employment_service.plan import obligation_plan
from seguro_desempleo.errors import ConflictError, InputError, NotFoundError
from seguro_desempleo.money import format_soles
from seguro_desempleo.payments.schedule import (
    Installment,
    benefit_start,
    first_benefit_period,
    plan_installments,
)
from seguro_desempleo.periods import format_date_pe, format_period, period_of
from seguro_desempleo.rules.evaluate import ClaimCase, ContributionMonth, evaluate_case


class DecisionsMixin(ServiceCore):
    """Filing a claim, deciding it (by the rules, by a second approval, by override)."""

    # ------------------------------------------------------------------ filing

    def file_claim(self, worker_ref: str, claim_date: dt.date, *, actor: str) -> Claim:
        """A new claim after the worker's separation; one open claim per worker, and one claim per
        contingency (worker, separation) ever: a denial is revisited only by reconsideración or
        apelación (:meth:`file_appeal`), never by filing again (decision 0305)."""
        check_date(claim_date, self.params, field="claim_date")
        if not self.history.known_worker(worker_ref):
            raise NotFoundError("no insured worker with this reference", field="worker")
        sep = self.history.last_separation(worker_ref)
        if sep is None:
            raise InputError("the worker has no separation on record (T-Registro); a claim needs one",
                             field="worker")
        if claim_date < sep.date:
            raise InputError(f"claim dated {format_date_pe(claim_date)}, before the separation on "
                             f"{format_date_pe(sep.date)}", field="claim_date")
        create = getattr(self.claims, "create_open", None) if self._one_statement_filing else None
        claim: Claim | None
        if create is not None:        # PostgreSQL: number, insert and both checks in one statement
            claim = create(worker_ref, claim_date, sep.date)
        else:
            claim = None
            if self.claims.open_claim_for(worker_ref) is None:
                self._refuse_same_contingency(worker_ref, sep.date)
                claim_id = self.claims.next_id()
                claim = Claim(claim_id, worker_ref, claim_date, sep.date, ClaimStatus(claim_id))
                self.claims.add(claim)
        if claim is None:
            current = self.claims.open_claim_for(worker_ref)
            if current is None:
                self._refuse_same_contingency(worker_ref, sep.date)
            which = f" {current.id} ({current.state.value})" if current is not None else ""
            raise ConflictError(f"the worker already has an open claim{which}; one open claim per worker")
        self.audit.append(who=actor, when=self.clock(), action="claim.file", entity=f"claim:{claim.id}",
                          before=None, after={"state": claim.state.value, "version": claim.version,
                                              "filed_on": claim_date.isoformat()})
        log.info("claim %s filed", claim.id)
        return claim

    def _refuse_same_contingency(self, worker_ref: str, separation: dt.date) -> None:
        """409 when the contingency (worker, separation) already has a claim, in any state."""
        find = getattr(self.claims, "claim_for_contingency", None)
        existing = find(worker_ref, separation) if find is not None else None
        if existing is None:
            return
        if existing.state is S.DENIED:
            raise ConflictError(f"el cese del {format_date_pe(separation)} ya tiene la solicitud {existing.id}, "
                                "denegada; una denegación se revisa solo por reconsideración o apelación, "
                                "no con una nueva solicitud")
        raise ConflictError(f"el cese del {format_date_pe(separation)} ya tiene la solicitud {existing.id} "
                            f"({existing.state.value}); una contingencia da derecho a una sola solicitud")

    # ------------------------------------------------------------------ deciding

    def case_for(self, claim: Claim, on: dt.date) -> ClaimCase:
        return self._case(claim, on)[0]

    def _case(self, claim: Claim, on: dt.date) -> tuple[ClaimCase, list[int]]:
        """The case the rules decide, and the flagged months it counts because staff accepted them."""
        prefetch = getattr(self.history, "prefetch", None)
        if prefetch is not None:        # the SQL adapter: the reads below in one round trip
            prefetch(claim.worker_ref, claim.separation_date)
        sep = self.history.last_separation(claim.worker_ref, on_or_before=claim.separation_date)
        if sep is None:
            raise ConflictError("the separation on record changed since filing", where=f"claim {claim.id}")
        evaluated_on = max(claim.filed_on, on)  # the evaluation date (docs/claims.md), for every requirement
        contributions, accepted = self._plausible(claim.worker_ref,
                                                  self.history.contributions(claim.worker_ref, period_of(sep.date)),
                                                  evaluated_on)
        return ClaimCase(
            id=claim.id, separation_date=sep.date, claim_date=evaluated_on,
            termination_cause=sep.termination_cause, employer_size=sep.employer_size,
            registered_with_employment_service=self.history.registered_with_employment_service(
                claim.worker_ref, evaluated_on, since=sep.date),
            contributions=contributions,
            contract_type=sep.contract_type, sector=sep.sector,
            reemployment_date=self.history.reemployment_start(claim.worker_ref, sep.date),
        ), accepted

    def _plausible(self, worker_ref: str, months: tuple[ContributionMonth, ...],
                   on: dt.date) -> tuple[tuple[ContributionMonth, ...], list[int]]:
        """The months that count (flagged months only once staff accepted them) and the accepted
        flagged months; new flags join the review queue (:mod:`.plausibility`, issue 25)."""
        if "controls.declared_pay_ceiling" not in self.params:
            return months, []
        flagged = plausibility.flags(months, self.params.at(on))
        # the review queue, read with the history (the SQL provider: in the prefetch's one statement)
        reviews_of = getattr(self.history, "month_reviews", None)
        reviews = reviews_of(worker_ref) if reviews_of is not None else {}
        # months flagged at intake (a late or self-qualifying first declaration, source 'import'):
        # the history leaves them out until accepted; an accepted one is still a month the award
        # rests on, so it asks for the second approval as the pay flags do
        at_intake = sorted(m.period for m in months if reviews.get(m.period) == "accepted"
                           and all(f.period != m.period for f in flagged))
        if not flagged:
            return months, at_intake
        new = [f for f in flagged if f.period not in reviews]
        add = getattr(self.claims, "flag_months", None)
        if new and add is not None:
            add(worker_ref, [(f.period, f.remuneration, f.reasons) for f in new], at=self.clock().isoformat())
            forget = getattr(self.history, "forget", None)
            if forget is not None:       # the queue changed: a later read in this unit of work sees it
                forget(worker_ref)
            log.info("worker months flagged for review: %d", len(new))
        kept, accepted = plausibility.counted(months, flagged, reviews)
        return kept, sorted(set(accepted) | set(at_intake))

    def evaluate(self, claim: Claim, on: dt.date) -> StoredDecision:
        return self._evaluate(claim, on)[0]

    def _evaluate(self, claim: Claim, on: dt.date) -> tuple[StoredDecision, list[int]]:
        case, accepted = self._case(claim, on)
        return decision_record(evaluate_case(case, self.params, cause_labels=self.cause_labels,
                                             contract_labels=self.contract_labels),
                               claim_id=claim.id, decided_on=on), accepted

    def _needs_second_approval(self, claim: Claim, rec: StoredDecision, accepted: list[int], *,
                               actor: str) -> None:
        """Maker-checker (issue 25): an award above ``controls.second_approval_amount`` or resting
        on flagged months staff accepted is held (not paid) until another staff member approves it."""
        request = getattr(self.claims, "request_approval", None)
        if request is None or "controls.second_approval_amount" not in self.params:
            return
        limit = int(Decimal(str(self.params.at(rec.decided_on)["controls.second_approval_amount"])) * 100)
        total = sum(b.amount for b in rec.benefits)
        reasons = []
        if total > limit:
            reasons.append(f"prestación total {format_soles(total)} sobre {format_soles(limit)}")
        if accepted:
            reasons.append("descansa en meses observados: " + ", ".join(format_period(p) for p in accepted))
        if not reasons:
            return
        why = "; ".join(reasons)
        request(claim.id, total=total, reasons=why, maker=actor, at=self.clock().isoformat())
        self.audit.append(who=actor, when=self.clock(), action="claim.approval_requested", entity=f"claim:{claim.id}",
                          before=None, after={"total": total, "reasons": why, "maker": actor})

    def approve_award(self, claim_id: str, *, approve: bool, actor: str) -> Claim:
        """The second staff member's approval (or rejection: the claim is denied) of a held award.
        The maker cannot be the checker (the database's CHECK too); both are in the audit."""
        check = getattr(self.claims, "check_award", None)
        if check is None:
            raise ConflictError("this store keeps no approvals", where=f"claim {claim_id}")
        claim = self.claims.get(claim_id)
        row = check(claim_id, approve, checker=actor, at=self.clock().isoformat())
        self.audit.append(who=actor, when=self.clock(), action="claim.award_" + ("approved" if approve else "rejected"),
                          entity=f"claim:{claim_id}", before={"status": "pending", "maker": row["maker"]},
                          after={"status": row["status"], "maker": row["maker"], "checker": actor})
        if not approve and claim.state is S.APPROVED:
            claim = self._move(claim, S.DENIED, actor=actor, reason="rechazada por el segundo funcionario")
        return claim

    def decide(self, claim_id: str, on: dt.date, *, actor: str, expected_version: int | None = None) -> Claim:
        """Decide with the rules; a claim still in its waiting period goes to ``waiting``."""
        return self._decide(self.claims.get(claim_id), on, actor=actor, expected_version=expected_version)

    def file_and_decide(self, worker_ref: str, claim_date: dt.date, *, actor: str) -> Claim:
        """File a claim and decide it at once, as of *claim_date*, in the caller's transaction.

        The caseworker at the counter (or the API's ``"decide": true``): the same two steps as
        :meth:`file_claim` then :meth:`decide` — two audited state changes, the same rules, the
        same decision stored — without reading the new claim back. A claim still in its waiting
        period goes to ``waiting`` and is decided again later with :meth:`decide`.
        """
        claim = self.file_claim(worker_ref, claim_date, actor=actor)
        return self._decide(claim, claim_date, actor=actor, expected_version=claim.version, new_claim=True)

    def _decide(self, claim: Claim, on: dt.date, *, actor: str, expected_version: int | None,
                new_claim: bool = False) -> Claim:
        """*new_claim*: filed in this same call (no act issued for it yet: its decision is act 1)."""
        if claim.state not in (S.FILED, S.WAITING):
            raise ConflictError(f"claim is already {claim.state.value}; only filed or waiting claims are decided",
                                where=f"claim {claim.id}")
        check_date(on, self.params, field="date")
        rec, accepted = self._evaluate(claim, on)
        failed = [r["requirement"] for r in rec.reasons if not r["met"]]
        wait_end = waiting_end(rec)
        reemp = self.history.reemployment_start(claim.worker_ref, claim.separation_date)
        kept = self._kept_job(claim)
        if failed == ["waiting_period"] and wait_end > on and (reemp is None or reemp > wait_end) and not kept:
            if claim.state is S.WAITING:
                return claim
            return self._move(claim, S.WAITING, actor=actor, expected_version=expected_version,
                              reason=f"carencia hasta {format_date_pe(wait_end)}")
        # Issue 26 item 3: a new job already on record, or a job kept, is read at the decision.
        first = first_benefit_period(wait_end)
        rec = limit_to_unemployment(rec, first_period=first, reemployment_date=reemp, kept_job=kept,
                                    benefit_start=benefit_start(wait_end))
        rec = self._filing_deadline(claim, rec)
        failed = [r["requirement"] for r in rec.reasons if not r["met"]]
        if rec.eligible:
            claim = self._move(claim, S.APPROVED, actor=actor, expected_version=expected_version,
                               reason="cumple los requisitos", decision=rec, decided_on=on, first_period=first,
                               reemployment_date=reemp)
            self._needs_second_approval(claim, rec, accepted, actor=actor)
            self._schedule_obligations(claim, on)
            self._issue_decision(claim, on, actor, first=new_claim)
            return claim
        claim = self._move(claim, S.DENIED, actor=actor, expected_version=expected_version,
                           reason="no cumple: " + ", ".join(failed), decision=rec, decided_on=on,
                           reemployment_date=reemp)
        self._issue_decision(claim, on, actor, first=new_claim)
        return claim

    def _filing_deadline(self, claim: Claim, rec: StoredDecision) -> StoredDecision:
        """Issue 26 item 9: the claim filed within the deadline (a parameter: the bill is silent)."""
        snap = self.params.at(claim.separation_date)
        try:
            read = snap.read(FILING_DEADLINE_PARAMETER)
        except (KeyError, InputError):
            return rec                    # a parameter set without the deadline: none applies
        days = int(snap[FILING_DEADLINE_PARAMETER])
        version = {"name": read.name, "effective_date": read.effective_date.isoformat(),
                   "value": read.as_dict()["value"], "reference": read.reference}
        return check_filing_deadline(rec, filed_on=claim.filed_on, separation_date=claim.separation_date,
                                     days=days, parameter=version)

    def _kept_job(self, claim: Claim) -> bool:
        """Another job still held after the separation (a history without the check: none)."""
        kept = getattr(self.history, "kept_job", None)
        return bool(kept(claim.worker_ref, claim.separation_date)) if kept is not None else False

    def auto_decide(self, on: dt.date, *, actor: str = "system:auto-decide") -> AutoDecideRun:
        """The daily job (issue 26 item 2): decide every claim whose waiting period has ended by *on*.

        Claims in ``waiting`` (looked at during the waiting period), and claims still ``filed``
        that were filed before their waiting period was served, are decided with the rules as of
        *on* — approved or denied with their resolución — not left for a caseworker. Idempotent:
        a decided claim is no longer a candidate, and a claim whose period is not over stays as
        it is. One claim that cannot be decided (a record to correct) is reported, not fatal.
        """
        decided: list[tuple[str, str]] = []
        failed: list[tuple[str, str]] = []
        waiting = 0
        for claim in sorted(self.claims.in_states([S.FILED, S.WAITING]), key=lambda c: c.id):
            days = int(self.params.at(claim.separation_date)["requirements.waiting_period_days"])
            end = claim.separation_date + dt.timedelta(days=days)
            if claim.state is S.FILED and claim.filed_on >= end:
                continue                    # filed after the waiting period: the caseworker's queue
            if end > on:
                waiting += 1
                continue
            try:
                new = self._decide(claim, on, actor=actor, expected_version=claim.version)
            except (ConflictError, InputError) as exc:     # messages name the claim, never the worker
                failed.append((claim.id, str(exc)))
                continue
            if new.state is S.WAITING:
                waiting += 1
            else:
                decided.append((new.id, new.state.value))
        log.info("auto-decide %s: %d decided, %d waiting, %d failed", on.isoformat(), len(decided), waiting,
                 len(failed))
        return AutoDecideRun(on, tuple(decided), waiting, tuple(failed))

    def override(self, claim_id: str, to_state: ClaimState, *, reason: str, actor: str, expected_version: int,
                 on: dt.date | None = None) -> Claim:
        """A caseworker sets the claim against the rules' course, with a written reason (audited).

        Only :data:`OVERRIDE_TARGETS` (deny, close) and only along the state machine's moves; the
        compare-and-set on *expected_version* makes a stale form fail with a ConflictError. A denial
        stores the rules' evaluation as of *on* (default: today) so the resolución can cite it.
        """
        text = " ".join((reason or "").split())
        if not text:
            raise InputError("an override needs a written reason", field="reason")
        if to_state not in OVERRIDE_TARGETS:
            names = ", ".join(s.value for s in OVERRIDE_TARGETS)
            raise InputError(f"a claim can be overridden only to {names}, not {to_state.value}", field="to_state")
        claim = self.claims.get(claim_id)
        changes: dict[str, Any] = {}
        day = on or self.clock().date()
        if to_state is S.DENIED:
            changes = {"decision": self.evaluate(claim, day), "decided_on": day}
        was = claim.state
        claim = self._move(claim, to_state, actor=actor, expected_version=expected_version,
                           reason=f"modificado por gestor: {text}", **changes)
        # Issue 26 item 9: the caseworker's change is an act, issued with it (same transaction).
        if to_state is S.DENIED:
            self._issue_decision(claim, day, actor)
        elif was in PAYABLE or was is S.EXHAUSTED:
            self._issue(claim, ActKind.CLOSURE, day, ActLetter(
                ActKind.CLOSURE,
                grounds=[f"La solicitud {claim.id} se encontraba {STATE_ES[was]}.",
                         f"Motivo expuesto por la oficina: {text}"],
                resolves=["DAR POR CONCLUIDA la prestación por desempleo: no se pagan las cuotas pendientes "
                          "desde la fecha de la presente resolución."],
                articles=["PL 5510/2022-CR, arts. 5 y 6", "Ley 27444 (TUO D.S. 004-2019-JUS), art. 3"]),
                f"Conclusión por la oficina: {text[:200]}", actor)
        return claim

    # ------------------------------------------------------------------ re-employment and obligations

    def _schedule_obligations(self, claim: Claim, on: dt.date) -> None:
        if not self.schedule_obligations or claim.decision is None or claim.first_period is None:
            return
        registered = self.history.registered_with_employment_service(claim.worker_ref, on)
        plan = obligation_plan(on, claim.first_period, len(claim.decision.benefits), registered=registered)
        many = getattr(self.employment, "schedule_many", None)
        if many is not None:          # one statement for the plan (the SQL adapter)
            many(claim.id, [(planned.kind, planned.due_date) for planned in plan])
            return
        for planned in plan:
            self.employment.schedule(claim.id, planned.kind, planned.due_date)

    def plan(self, claim: Claim) -> list[Installment]:
        if claim.decision is None or claim.first_period is None:
            return []
        reemployment = _not_yet_read(claim, claim.reemployment_date)
        return plan_installments(claim.id, _plan_benefits(claim, reemployment), claim.first_period,
                                 benefit_start=benefit_start(waiting_end(claim.decision)),
                                 reemployment_date=reemployment)

