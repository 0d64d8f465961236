"""Issued acts: what the administration resolved, as it was notified (issue 26 item 9; Ley 27444).

An administrative act does not change after it is issued (TUO de la Ley 27444, D.S. 004-2019-JUS,
arts. 9, 16 and 212: it is valid and effective as notified; only a later act — a rectification, a
reversal on appeal — changes the situation, and that later act is a new act). So the resolución is
not re-rendered from today's data: each act is rendered once, when issued, and stored with

- its **number** (``RES-2025-000123`` for the decision, ``RES-2025-000123-02`` … for later acts),
- its **kind** (:class:`ActKind`), the **date** it was issued and a one-line Spanish summary,
- the **HTML bytes** and their SHA-256 (``content_sha256``), the **PDF bytes** (printed once,
  from the stored HTML, the first time a PDF is asked for) and their SHA-256,
- its **notification date**, recorded when the notification is made — not assumed equal to the
  decision date. The appeal term (art. 218.2) runs from it; an appeal filed before a notification
  is on record counts as notified that day (art. 27.2, notificación tácita).

Suspensions, resumptions, closures, overpayment recoveries, amount changes and appeal resolutions
are acts too: each is issued, stored and notified, and is appealable (the letter says how).
The store refuses changes to an issued act (database triggers); :meth:`IssuedAct.verify` checks
the stored bytes against their hashes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Protocol

from seguro_desempleo.claims.appeals import FILING_DAYS, RESOLUTION_DAYS
from seguro_desempleo.claims.letters import letter_env
from seguro_desempleo.errors import ConflictError, InputError, NotFoundError
from seguro_desempleo.periods import format_date_pe


class ActKind(StrEnum):
    DECISION = "decision"                  # the resolución of the claim: approved or denied
    SUSPENSION = "suspension"              # payment suspended (re-employment, obligations)
    RESUMPTION = "resumption"              # payment resumed
    CLOSURE = "closure"                    # the claim closed (re-employment, by a caseworker)
    OVERPAYMENT = "overpayment"            # an overpayment to recover, with its plan
    AMOUNT_CHANGE = "amount_change"        # the amounts changed (an appeal upheld against them)
    APPEAL_RESOLUTION = "appeal_resolution"


KIND_TITLES_ES: dict[ActKind, str] = {
    ActKind.DECISION: "Resolución de la solicitud",
    ActKind.SUSPENSION: "Suspensión del pago de la prestación",
    ActKind.RESUMPTION: "Reanudación del pago de la prestación",
    ActKind.CLOSURE: "Conclusión de la prestación",
    ActKind.OVERPAYMENT: "Pagos indebidos y su devolución",
    ActKind.AMOUNT_CHANGE: "Modificación del monto de la prestación",
    ActKind.APPEAL_RESOLUTION: "Resolución del recurso",
}

ARTICLE_ACTS = "Ley 27444 (TUO D.S. 004-2019-JUS), arts. 16, 18 y 218"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class IssuedAct:
    number: str
    claim_id: str
    kind: ActKind
    issued_on: dt.date
    summary: str                   # one Spanish line; no DNI, no name
    html: bytes
    content_sha256: str
    notified_on: dt.date | None = None
    pdf: bytes | None = None
    pdf_sha256: str | None = None

    def verify(self) -> bool:
        """The stored bytes are the bytes issued (HTML, and the PDF once printed)."""
        ok = sha256(self.html) == self.content_sha256
        if self.pdf is not None or self.pdf_sha256 is not None:
            ok = ok and self.pdf is not None and sha256(self.pdf) == self.pdf_sha256
        return ok

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "claim_id": self.claim_id, "kind": self.kind.value,
                "title": KIND_TITLES_ES[self.kind], "issued_on": self.issued_on.isoformat(),
                "notified_on": self.notified_on.isoformat() if self.notified_on else None,
                "summary": self.summary, "content_sha256": self.content_sha256,
                "pdf_sha256": self.pdf_sha256, "verified": self.verify()}


def new_act(number: str, claim_id: str, kind: ActKind, issued_on: dt.date, summary: str, html: str) -> IssuedAct:
    data = html.encode("utf-8")
    return IssuedAct(number, claim_id, kind, issued_on, summary, data, sha256(data))


def act_number(claim_id: str, year: int, sequence: int) -> str:
    """``RES-2025-000123`` for a claim's first act (the decision letter's number as before),
    ``RES-2025-000123-02`` for the second, and so on."""
    base = f"RES-{year}-{claim_id.split('-', 1)[-1]}"
    return base if sequence == 1 else f"{base}-{sequence:02d}"


class ActStore(Protocol):
    def add(self, act: IssuedAct) -> None:
        """Store a new act; ConflictError if its number exists."""
        ...

    def acts_for(self, claim_id: str) -> list[IssuedAct]:
        """The claim's acts, in the order issued."""
        ...

    def get(self, number: str) -> IssuedAct:
        """NotFoundError if unknown."""
        ...

    def set_notified(self, number: str, on: dt.date) -> None:
        """Record the notification date once."""
        ...

    def set_pdf(self, number: str, pdf: bytes) -> None:
        """Keep the PDF printed from the stored HTML, once."""
        ...


class InMemoryActStore:
    def __init__(self) -> None:
        self._acts: dict[str, IssuedAct] = {}

    def add(self, act: IssuedAct) -> None:
        if act.number in self._acts:
            raise ConflictError(f"act {act.number} already issued; an issued act is not issued again")
        self._acts[act.number] = act

    def acts_for(self, claim_id: str) -> list[IssuedAct]:
        return [a for a in self._acts.values() if a.claim_id == claim_id]

    def get(self, number: str) -> IssuedAct:
        try:
            return self._acts[number]
        except KeyError:
            raise NotFoundError(f"no issued act '{number}'", field="act") from None

    def set_notified(self, number: str, on: dt.date) -> None:
        act = self.get(number)
        check_notification(act, on)
        self._acts[number] = replace(act, notified_on=on)

    def set_pdf(self, number: str, pdf: bytes) -> None:
        act = self.get(number)
        if act.pdf is not None:
            raise ConflictError(f"act {number} already has its PDF; it does not change")
        self._acts[number] = replace(act, pdf=pdf, pdf_sha256=sha256(pdf))


def check_notification(act: IssuedAct, on: dt.date) -> None:
    if act.notified_on is not None:
        raise ConflictError(f"act {act.number} was notified on {format_date_pe(act.notified_on)}; "
                            "a notification is recorded once", where=f"act {act.number}")
    if on < act.issued_on:
        raise InputError(f"notification on {format_date_pe(on)} is before the act was issued "
                         f"({format_date_pe(act.issued_on)})", field="notified_on")


# --------------------------------------------------------------------------------------------
# The letter of an act other than the decision (the decision keeps templates/resolucion.html)


@dataclass(frozen=True)
class ActLetter:
    """What an act says: its grounds and what it resolves (Spanish), with the articles cited."""

    kind: ActKind
    grounds: Sequence[str]
    resolves: Sequence[str]
    articles: Sequence[str] = ()
    rows: Sequence[tuple[str, str]] = ()       # (label, value) of a table: months, amounts


def render_act_html(letter: ActLetter, *, number: str, claim_id: str, issued_on: dt.date, worker_name: str,
                    document_type: str = "DNI", document_number: str = "",
                    office: str = "Seguro Social de Salud – EsSalud, Gerencia del Seguro por Desempleo",
                    city: str = "Lima", signer: str = "Jefe(a) de la Oficina de Prestaciones por Desempleo") -> str:
    return letter_env().get_template("acto.html").render(
        l=letter, title=KIND_TITLES_ES[letter.kind], number=number, claim_id=claim_id, issued_on=issued_on,
        worker_name=worker_name, document_type=document_type, document_number=document_number,
        office=office, city=city, signer=signer, bill="Proyecto de Ley 5510/2022-CR",
        filing_days=FILING_DAYS, resolution_days=RESOLUTION_DAYS)
