"""Hash-chained audit records: any tampering is found, at the first broken link."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.claims.audit import (
    GENESIS_HASH,
    AuditRecord,
    build_record,
    canonical_json,
    verify_chain,
)
from seguro_desempleo.errors import InputError

T0 = dt.datetime(2025, 1, 1, 12, 0, tzinfo=dt.UTC)

payloads = st.none() | st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=8), max_size=3)


def chain(n: int, seed_payloads: list[object] | None = None) -> list[AuditRecord]:
    out: list[AuditRecord] = []
    prev = None
    for i in range(n):
        p = seed_payloads[i] if seed_payloads else {"state": "paying", "i": i}
        prev = build_record(prev, who=f"user:{i % 3}", when=T0 + dt.timedelta(minutes=i),
                            action="claim.transition", entity=f"claim:C-{i % 4}", before=None, after=p)
        out.append(prev)
    return out


def test_first_record_links_to_genesis_and_chain_verifies() -> None:
    recs = chain(5)
    assert recs[0].prev_hash == GENESIS_HASH and recs[0].seq == 1
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(recs))
    report = verify_chain(recs)
    assert report.ok and report.checked == 5
    assert report.one_line() == "audit chain intact: 5 records"


def test_canonical_json_is_order_independent() -> None:
    assert canonical_json({"b": 1, "a": "ñ"}) == canonical_json({"a": "ñ", "b": 1}) == '{"a":"ñ","b":1}'.encode()


def test_round_trip_through_dict() -> None:
    recs = chain(3)
    assert verify_chain([AuditRecord.from_dict(r.to_dict()) for r in recs]).ok


def test_naive_time_and_missing_actor_refused() -> None:
    with pytest.raises(InputError, match="time zone"):
        build_record(None, who="u", when=dt.datetime(2025, 1, 1), action="a", entity="e")
    with pytest.raises(InputError, match="actor"):
        build_record(None, who="", when=T0, action="a", entity="e")
    with pytest.raises(InputError, match="canonical JSON"):
        build_record(None, who="u", when=T0, action="a", entity="e", after={"x": float("nan")})


def test_deleted_record_is_reported() -> None:
    recs = chain(6)
    del recs[2]
    report = verify_chain(recs)
    assert not report.ok and report.first_broken == 3      # the seq of the deleted record
    assert "broken at record seq 3" in report.one_line()


FIELDS = ["who", "when", "action", "entity", "before", "after", "prev_hash", "hash", "seq"]


@settings(deadline=None)
@given(st.lists(payloads, min_size=1, max_size=8), st.data())
def test_any_tampering_is_detected_at_the_tampered_record(ps: list[object], data: st.DataObject) -> None:
    recs = chain(len(ps), ps)
    assert verify_chain(recs).ok
    i = data.draw(st.integers(0, len(recs) - 1))
    name = data.draw(st.sampled_from(FIELDS))
    old = getattr(recs[i], name)
    if name == "seq":
        new: Any = old + data.draw(st.integers(1, 5))
    elif name in ("before", "after"):
        new = data.draw(payloads.filter(lambda p: canonical_json(p) != canonical_json(old)))
    else:
        new = data.draw(st.text(min_size=1, max_size=70).filter(lambda s: s != old))
    recs[i] = dataclasses.replace(recs[i], **{name: new})
    report = verify_chain(recs)
    assert not report.ok
    assert report.first_broken == i + 1 and report.position == i


@settings(deadline=None)
@given(st.integers(2, 8), st.data())
def test_swapping_two_records_is_detected(n: int, data: st.DataObject) -> None:
    recs = chain(n)
    i = data.draw(st.integers(0, n - 2))
    recs[i], recs[i + 1] = recs[i + 1], recs[i]
    assert verify_chain(recs).first_broken == i + 1


def test_build_records_equals_one_by_one() -> None:
    import datetime as _dt
    from decimal import Decimal as _D

    from seguro_desempleo.claims.audit import build_record as _one
    from seguro_desempleo.claims.audit import build_records, verify_chain

    when = _dt.datetime(2025, 8, 26, 12, 0, tzinfo=_dt.UTC)
    items: list[dict[str, Any]] = [{"who": "run", "when": when, "action": "payment.pay", "entity": f"payment:C-1#{i}", "before": None,
              "after": {"amount": 100 * i, "period": "2025-08", "ok": True, "list": [1, "a", None]}}
             for i in range(5)]
    items.append({"who": "run", "when": when, "action": "x", "entity": "e", "before": {"d": _D("1.50")},
                  "after": (1, 2)})
    prev = None
    one = []
    for it in items:
        prev = _one(prev, **it)
        one.append(prev)
    many = build_records(None, items)
    assert many == one and verify_chain(many).ok
    assert build_records(one[2], items[:1])[0].prev_hash == one[2].hash
