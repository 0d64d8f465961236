"""An append-only, hash-chained audit log (issue 5, "every state change is written to …").

Each record holds who, when, what (action and entity), the state before and after, and the hash
of the previous record; its own hash is SHA-256 over the canonical JSON of those fields (keys
sorted, no spaces, UTF-8). Changing, removing, inserting or reordering any record breaks the
chain at that point, and :func:`verify_chain` names the first broken link.

Pure functions only: the storage layer keeps the records in an append-only table and calls
:func:`build_record` with the last stored record. Who is an actor id (user id and role), never a
DNI or a name; entity payloads are expected to hold ids and amounts, not personal data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from seguro_desempleo.errors import InputError

GENESIS_HASH = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON bytes: sorted keys, compact separators, UTF-8, no NaN."""
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False, default=_default)
    except (TypeError, ValueError) as exc:
        raise InputError(f"audit payload is not canonical JSON: {exc}", field="before/after") from None
    return text.encode("utf-8")


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    who: str
    when: str                   # ISO 8601 with offset
    action: str
    entity: str                 # "claim:C-1", "payment:C-1:3"
    before: Any
    after: Any
    prev_hash: str
    hash: str

    def body(self) -> dict[str, Any]:
        return {"seq": self.seq, "who": self.who, "when": self.when, "action": self.action,
                "entity": self.entity, "before": self.before, "after": self.after,
                "prev_hash": self.prev_hash}

    def to_dict(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AuditRecord:
        return cls(int(d["seq"]), str(d["who"]), str(d["when"]), str(d["action"]), str(d["entity"]),
                   d.get("before"), d.get("after"), str(d["prev_hash"]), str(d["hash"]))


def record_hash(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(body)).hexdigest()


def build_record(previous: AuditRecord | None, *, who: str, when: dt.datetime, action: str,
                 entity: str, before: Any = None, after: Any = None) -> AuditRecord:
    """The next record of the chain after *previous* (``None`` for the first record)."""
    if when.tzinfo is None:
        raise InputError("audit time must carry a time zone", field="when")
    if not who:
        raise InputError("audit record needs an actor", field="who")
    # Round-trip the payloads through canonical JSON so what is stored is what was hashed.
    before_j = json.loads(canonical_json(before))
    after_j = json.loads(canonical_json(after))
    seq = 1 if previous is None else previous.seq + 1
    prev = GENESIS_HASH if previous is None else previous.hash
    body = {"seq": seq, "who": who, "when": when.isoformat(), "action": action, "entity": entity,
            "before": before_j, "after": after_j, "prev_hash": prev}
    return AuditRecord(seq, who, body["when"], action, entity, before_j, after_j, prev, record_hash(body))


_PLAIN = (str, int, bool, type(None))


def _is_plain(value: Any) -> bool:
    """JSON-native (str, int, bool, None, lists and str-keyed dicts of them): canonical as it is."""
    if isinstance(value, _PLAIN) and not isinstance(value, float):
        return True
    if isinstance(value, list):
        return all(_is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
    return False


_quote = json.encoder.encode_basestring      # json.dumps(str, ensure_ascii=False) without the call overhead


_orjson: Any
try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is installed with the server
    _orjson = None


def _plain_json(value: Any) -> str:
    """Canonical JSON text of a plain payload (see :func:`_is_plain`). orjson with sorted keys
    gives the very same text as :func:`json.dumps` (sorted, compact, ``ensure_ascii=False``) for
    plain values, about ten times faster (a decision's payload is ≈ 13 KB); anything orjson
    refuses (an integer beyond 64 bits, a lone surrogate) goes through :func:`json.dumps`."""
    if value is None:
        return "null"
    if _orjson is not None:
        try:
            return str(_orjson.dumps(value, option=_orjson.OPT_SORT_KEYS).decode("utf-8"))
        except (TypeError, UnicodeError):
            pass
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def build_records(previous: AuditRecord | None, items: Iterable[Mapping[str, Any]], *,
                  plain: bool = False) -> list[AuditRecord]:
    """Many records in a row (each item holds :func:`build_record`'s keyword arguments).

    The same records as calling :func:`build_record` one by one; payloads that are already plain
    JSON skip the canonical round trip (a bulk payment run writes tens of thousands); ``when`` may be
    given as its ISO 8601 text (with offset), as the audit outbox stores it. ``plain=True``
    asserts that every payload is plain JSON (str keys; str, int, bool, None values) without checking.
    """
    out: list[AuditRecord] = []
    prev = previous
    iso: dict[int, str] = {}
    for it in items:
        before, after = it.get("before"), it.get("after")
        when = it["when"]
        given = isinstance(when, str)   # already ISO 8601 with offset (a record read back from the outbox)
        if not (plain or (_is_plain(before) and _is_plain(after))) or not it["who"] or \
                (not given and when.tzinfo is None):
            rec = build_record(prev, who=it["who"], when=dt.datetime.fromisoformat(when) if given else when,
                               action=it["action"], entity=it["entity"], before=before, after=after)
        else:
            seq = 1 if prev is None else prev.seq + 1
            ph = GENESIS_HASH if prev is None else prev.hash
            stamp = when if given else iso.get(id(when))
            if stamp is None:
                stamp = iso[id(when)] = when.isoformat()
            who, action, entity = it["who"], it["action"], it["entity"]
            if isinstance(who, str) and isinstance(action, str) and isinstance(entity, str):
                # canonical_json(body) written out: keys in sorted order, the payloads dumped alone
                # (the same text json.dumps gives them nested), strings quoted as json.dumps does.
                text = (f'{{"action":{_quote(action)},"after":{_plain_json(after)},"before":{_plain_json(before)},'
                        f'"entity":{_quote(entity)},"prev_hash":{_quote(ph)},"seq":{seq},"when":{_quote(stamp)},'
                        f'"who":{_quote(who)}}}')
                digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            else:
                digest = record_hash({"seq": seq, "who": who, "when": stamp, "action": action, "entity": entity,
                                      "before": before, "after": after, "prev_hash": ph})
            rec = AuditRecord(seq, who, stamp, action, entity, before, after, ph, digest)
        out.append(rec)
        prev = rec
    return out


def quote(text: str) -> str:
    """A JSON string literal exactly as :func:`canonical_json` writes it (for payloads rendered by hand)."""
    return _quote(text)


def link_texts(previous: AuditRecord | None, items: Iterable[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    """Chain records whose payloads are given as canonical JSON text (``before_json``, ``after_json``).

    For bulk writers that render their payloads themselves (the monthly run): no ``json.dumps``
    per record, and the same text is hashed and stored. Each item holds ``who``, ``when`` (ISO 8601
    text with offset), ``action``, ``entity`` and the two texts, which must be what
    :func:`canonical_json` gives for the payloads (keys sorted, compact, UTF-8) — the verifier
    recomputes every hash from the stored values. Returns rows ``(seq, who, when, action, entity,
    before_json, after_json, prev_hash, hash)``.
    """
    out: list[tuple[Any, ...]] = []
    seq = 0 if previous is None else previous.seq
    ph = GENESIS_HASH if previous is None else previous.hash
    for it in items:
        seq += 1
        who, when, action, entity = it["who"], it["when"], it["action"], it["entity"]
        before, after = it["before_json"], it["after_json"]
        text = (f'{{"action":{_quote(action)},"after":{after},"before":{before},"entity":{_quote(entity)},'
                f'"prev_hash":"{ph}","seq":{seq},"when":{_quote(when)},"who":{_quote(who)}}}')
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        out.append((seq, who, when, action, entity, before, after, ph, digest))
        ph = digest
    return out


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken: int | None = None     # the seq number (1-based, as ``audit_log.seq``) of the first record that does not fit
    reason: str = ""
    head_seq: int = 0                   # the last record checked (seq and hash): what a checkpoint anchors
    head_hash: str = GENESIS_HASH

    @property
    def position(self) -> int | None:
        """The 0-based position of the first broken record in the sequence given."""
        return None if self.first_broken is None else self.first_broken - 1

    def one_line(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.checked} records"
        return f"audit chain broken at record seq {self.first_broken}: {self.reason}"


def verify_chain(records: Iterable[AuditRecord]) -> ChainReport:
    """Check every hash and link; report the first record that does not fit.

    The record is named by the seq it holds in an intact chain (its position from 1), the number
    ``audit_log.seq`` shows: a deleted record 3 is reported at seq 3, where record 4 now stands.
    """
    prev_hash = GENESIS_HASH
    expected_seq = 1
    n = 0
    for i, rec in enumerate(records):
        n = i + 1
        if rec.seq != expected_seq:
            return ChainReport(False, i, i + 1, f"sequence {rec.seq}, expected {expected_seq}", i, prev_hash)
        if rec.prev_hash != prev_hash:
            return ChainReport(False, i, i + 1, "previous-hash link does not match the record before", i, prev_hash)
        if record_hash(rec.body()) != rec.hash:
            return ChainReport(False, i, i + 1, "content does not match its hash", i, prev_hash)
        prev_hash = rec.hash
        expected_seq += 1
    return ChainReport(True, n, head_seq=n, head_hash=prev_hash)
