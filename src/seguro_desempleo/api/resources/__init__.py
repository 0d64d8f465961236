"""The insurance's REST resources under ``/api/v1`` (issue 5, point 6).

Employers, workers, payroll uploads, claims, decisions (with the letter), payments and payment
runs, obligations and placements, appeals, the ledger, reports and the audit log. Every handler:

1. authenticates (401) and checks the role and the row (403) through :mod:`seguro_desempleo.api.auth`;
2. works in one unit of work (:func:`seguro_desempleo.api.deps.claims_ctx`) and commits only at its end;
3. writes each state change to the hash-chained audit log (who, when, what, before/after) — the
   claims service does so for claims, payments and appeals, this module for the rest.

Money in answers is a decimal string in soles (``"1750.00"``); an integer in céntimos only where a
machine needs one, and then its name ends in ``_cents`` (decision 0380).

One module per resource; :data:`router` includes them in the order the routes were written
(the OpenAPI document and the routing order are the same as when they were one file).
"""

from __future__ import annotations

from fastapi import APIRouter

from seguro_desempleo.api.resources import (
    appeals,
    books,
    claims,
    controls,
    employers,
    employment,
    payments,
    payroll,
    workers,
)

router = APIRouter()
for _module in (employers, workers, payroll, claims, payments, employment, appeals, books, controls):
    router.include_router(_module.router)
