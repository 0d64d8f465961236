"""``services/controls.py`` over the ``ControlsStore`` port (issue 24 applied to issue 25's controls).

The faces (CLI, API, web) call this service; the port is served by ``uow.controls`` in SQL (the
adversarial tests drive it over HTTP on both engines) and here by a fake, which shows the service
needs nothing but the port.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from seguro_desempleo.claims.memory import InMemoryAuditSink
from seguro_desempleo.claims.ports import ControlsStore
from seguro_desempleo.errors import ConflictError, InputError
from seguro_desempleo.periods import parse_period
from seguro_desempleo.services.controls import Controls, fund_alerts, parse_review_id
from seguro_desempleo.storage.money_safety import SqlControlsStore
from seguro_desempleo.storage.uow import SqlUnitOfWork

NOW = dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.UTC)


class FakeControls:
    def __init__(self) -> None:
        self.reviews = {7: {"id": 7, "worker_id": 17, "period": parse_period("2025-04"), "remuneration": 9_000_000,
                            "reasons": "ceiling", "status": "pending"}}
        self.alerts: list[dict[str, Any]] = []

    def available_cash(self) -> int:
        return 0

    def record_fund_alert(self, **kw: Any) -> None:
        self.alerts.insert(0, kw)

    def fund_alerts(self, *, limit: int = 20) -> list[dict[str, Any]]:
        return self.alerts[:limit]

    def review_queue(self, *, status: str = "pending", limit: int = 200) -> list[dict[str, Any]]:
        return [r for r in self.reviews.values() if r["status"] == status][:limit]

    def review_month(self, review_id: int, accept: bool, *, reviewer: str, at: str) -> dict[str, Any]:
        row = self.reviews[review_id]
        if row["status"] != "pending":
            raise ConflictError("already reviewed", where=f"review {review_id}")
        row.update(status="accepted" if accept else "rejected", reviewed_by=reviewer, reviewed_at=at)
        return dict(row)

    def approval_queue(self, *, limit: int = 200) -> list[dict[str, Any]]:
        return []


def _controls() -> tuple[Controls, FakeControls, InMemoryAuditSink]:
    store, audit = FakeControls(), InMemoryAuditSink()
    port: ControlsStore = store
    return Controls(port, audit, lambda: NOW), store, audit


def test_deciding_a_flagged_month_is_one_audited_call() -> None:
    c, _store, audit = _controls()
    row = c.decide_review("7", True, actor="caseworker:ana")
    assert row["status"] == "accepted" and row["reviewed_at"] == NOW.isoformat()
    (rec,) = audit.records
    assert (rec.who, rec.action, rec.entity) == ("caseworker:ana", "declaration.review", "worker:17")
    assert rec.before == {"period": "2025-04", "status": "pending"}
    assert rec.after == {"period": "2025-04", "status": "accepted"}
    assert c.review_queue() == [] and len(c.review_queue(status="accepted")) == 1
    with pytest.raises(ConflictError):
        c.decide_review("7", False, actor="caseworker:ana")
    assert len(audit.records) == 1


def test_the_api_may_stamp_a_review_with_its_own_clock() -> None:
    c, _, audit = _controls()
    at = dt.datetime(2025, 6, 3, 12, 0, tzinfo=dt.UTC)
    assert c.decide_review("7", False, actor="caseworker:-", now=at)["reviewed_at"] == at.isoformat()
    assert audit.records[0].when.startswith("2025-06-03T12:00")


@pytest.mark.parametrize("text", ["", " 7", "+7", "7.0", "٧", "1234567890", "-1"])
def test_a_review_number_is_plain_digits(text: str) -> None:
    c, store, audit = _controls()
    with pytest.raises(InputError) as err:
        parse_review_id(text)
    assert err.value.field == "review_id"
    with pytest.raises(InputError):
        c.decide_review(text, True, actor="caseworker:ana")
    assert store.reviews[7]["status"] == "pending" and not audit.records


def test_the_unit_of_work_carries_the_sql_port(migrated_url: str) -> None:
    with SqlUnitOfWork(migrated_url) as uow:
        assert isinstance(uow.controls, SqlControlsStore)
        assert fund_alerts(uow) == [] and uow.controls.review_queue() == []
        assert uow.controls.approval_queue() == [] and uow.controls.available_cash() == 0
        uow.controls.record_fund_alert(period=parse_period("2025-05"), run_date=dt.date(2025, 5, 31), available=0, due=10_000,
                                       shortfall=10_000, unpaid=1, raised_by="caseworker:ana",
                                       raised_at=NOW.isoformat())
        (alert,) = fund_alerts(uow)
        assert (alert["period"], alert["shortfall"], alert["unpaid"]) == (parse_period("2025-05"), 10_000, 1)
