"""The bank payment file (outgoing) and the bank's answer (returned payments), fixed width.

A plain fixed-width text layout in the style of Peruvian bank "archivos de pago masivo" (e.g.
Banco de la Nación): every record is 120 ASCII characters followed by CRLF. The layout is this
project's own, documented here and in docs/payments.md; it is not a published bank format.

Header (``H``, once)::

    pos  len  field          content
      1    1  record_type    "H"
      2   11  payer_ruc      RUC of the payer (EsSalud 20131257750)
     13    8  file_date      AAAAMMDD
     21    6  period         AAAAMM, the month of the payment run
     27    6  sequence       file number within the run, from 000001
     33    3  currency       "PEN"
     36   40  payer_name     left-justified, blank-filled
     76   45  filler         blanks

Detail (``D``, one per installment)::

      1    1  record_type    "D"
      2    6  line           000001, 000002 … in order
      8   24  payment_key    claim × installment, "C-000123#3" (the idempotency key)
     32    2  doc_type       SUNAT Tabla 3: 01 DNI, 04 carné de extranjería, 07 pasaporte
     34   12  doc_number     left-justified
     46   38  beneficiary    surname(s) and name(s), upper case ASCII (accents removed, Ñ → N)
     84    1  pay_method     "A" credit to the account below, "V" cash at the bank window
     85   20  account        CCI (20 digits) for "A"; blanks for "V"
    105   13  amount         céntimos, zero-filled
    118    1  status         blank going out; "P" paid, "R" returned in the bank's answer
    119    2  return_code    blank going out; reason of a return (:data:`RETURN_CODES`)

Trailer (``T``, once)::

      1    1  record_type    "T"
      2    6  count          number of detail records
      8   15  total          sum of the detail amounts, céntimos
     23    8  checksum       CRC-32 (hex, upper case) of the header and detail records, each
                             as its 120 bytes followed by CRLF
     31   90  filler         blanks

The bank answers with the same file, the status (and return code) filled in and its own trailer.
:func:`read_payment_file` checks every record's length and type, the line numbers, the count,
the total and the checksum, and names the line of the first error.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from seguro_desempleo.errors import FormatError, InputError

RECORD_LENGTH = 120
EOL = "\r\n"
ESSALUD_RUC = "20131257750"

Field = tuple[str, int, str]   # name, width, "A" (text, left, blanks) or "N" (number, right, zeros)

HEADER: tuple[Field, ...] = (
    ("record_type", 1, "A"), ("payer_ruc", 11, "N"), ("file_date", 8, "N"), ("period", 6, "N"),
    ("sequence", 6, "N"), ("currency", 3, "A"), ("payer_name", 40, "A"), ("filler", 45, "A"),
)
DETAIL: tuple[Field, ...] = (
    ("record_type", 1, "A"), ("line", 6, "N"), ("payment_key", 24, "A"), ("doc_type", 2, "N"),
    ("doc_number", 12, "A"), ("beneficiary", 38, "A"), ("pay_method", 1, "A"), ("account", 20, "A"),
    ("amount", 13, "N"), ("status", 1, "A"), ("return_code", 2, "A"),
)
TRAILER: tuple[Field, ...] = (
    ("record_type", 1, "A"), ("count", 6, "N"), ("total", 15, "N"), ("checksum", 8, "A"),
    ("filler", 90, "A"),
)
for _layout in (HEADER, DETAIL, TRAILER):
    assert sum(w for _, w, _ in _layout) == RECORD_LENGTH

RETURN_CODES: dict[str, str] = {
    "01": "cuenta inexistente o cancelada",
    "02": "el documento de identidad no coincide con el titular de la cuenta",
    "03": "no cobrado en ventanilla dentro del plazo",
    "04": "beneficiario fallecido",
    "05": "cuenta bloqueada o embargada",
    "99": "otro motivo",
}
DOC_TYPES = {"01": "DNI", "04": "carné de extranjería", "07": "pasaporte"}


class PayMethod(StrEnum):
    ACCOUNT = "A"
    WINDOW = "V"


class LineStatus(StrEnum):
    SENT = " "
    PAID = "P"
    RETURNED = "R"


@dataclass(frozen=True)
class PaymentLine:
    payment_key: str
    doc_type: str
    doc_number: str
    beneficiary: str
    amount: int                      # céntimos
    pay_method: PayMethod = PayMethod.WINDOW
    account: str = ""
    status: LineStatus = LineStatus.SENT
    return_code: str = ""


@dataclass(frozen=True)
class PaymentFile:
    file_date: dt.date
    period: int                      # month index
    lines: tuple[PaymentLine, ...]
    sequence: int = 1
    payer_ruc: str = ESSALUD_RUC
    payer_name: str = "ESSALUD SEGURO POR DESEMPLEO"
    currency: str = "PEN"
    checksum: str = field(default="", compare=False)

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


def ascii_upper(text: str) -> str:
    """``"Peña Quispe, José"`` → ``"PENA QUISPE, JOSE"``: what the bank's fixed-width records accept."""
    if text.isascii():
        return " ".join(text.upper().split())
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.encode("ascii", "replace").decode("ascii").replace("?", " ")
    return " ".join(plain.upper().split())


def _fmt(layout: Sequence[Field], values: dict[str, object], *, where: str) -> str:
    out = []
    for name, width, kind in layout:
        v = values.get(name, "")
        if kind == "N":
            if isinstance(v, bool) or not isinstance(v, int | str) or (isinstance(v, str) and not v.isdigit()):
                raise InputError(f"'{v}' is not a whole number", field=name, where=where)
            s = str(v).rjust(width, "0")
        else:
            s = str(v)
            if not s.isascii():
                raise InputError(f"'{s}' has non-ASCII characters", field=name, where=where)
            s = s.ljust(width)
        if len(s) > width:
            raise InputError(f"'{v}' does not fit in {width} characters", field=name, where=where)
        out.append(s)
    return "".join(out)


def _period_text(period: int) -> str:
    year, m0 = divmod(period, 12)
    return f"{year:04d}{m0 + 1:02d}"


def _check_line(i: int, line: PaymentLine) -> None:
    where = f"payment line {i}"
    if line.doc_type not in DOC_TYPES:
        raise InputError(f"document type '{line.doc_type}' is not one of {', '.join(DOC_TYPES)}",
                         field="doc_type", where=where)
    if line.amount <= 0:
        raise InputError("amount must be positive", field="amount", where=where)
    if line.pay_method is PayMethod.ACCOUNT and not re.fullmatch(r"\d{20}", line.account):
        raise InputError("a credit to an account needs a 20-digit CCI", field="account", where=where)
    if line.pay_method is PayMethod.WINDOW and line.account:
        raise InputError("a cash payment at the window carries no account", field="account", where=where)
    if line.return_code and line.return_code not in RETURN_CODES:
        raise InputError(f"unknown return code '{line.return_code}'", field="return_code", where=where)


def _detail_fast(i: int, line: PaymentLine, name: str) -> str | None:
    """The detail record by one f-string when every field is plainly valid, else ``None`` (then
    :func:`_fmt` formats it or names the field at fault); the same text either way."""
    key, dtype, dnum, acct, rc = line.payment_key, line.doc_type, line.doc_number, line.account, line.return_code
    method, status, amount = line.pay_method.value, line.status.value, line.amount
    if (i < 1_000_000 and len(key) <= 24 and len(dtype) <= 2 and dtype.isdigit() and len(dnum) <= 12
            and len(acct) <= 20 and len(rc) <= 2 and len(method) == 1 and len(status) == 1
            and type(amount) is int and 0 <= amount < 10**13
            and (key + dnum + acct + rc + method + status).isascii()):
        return f"D{i:06d}{key:<24}{dtype:0>2}{dnum:<12}{name:<38}{method}{acct:<20}{amount:013d}{status}{rc:<2}"
    return None


def format_records(pf: PaymentFile) -> list[str]:
    """Header and detail records (no trailer), each exactly 120 characters."""
    records = [_fmt(HEADER, {
        "record_type": "H", "payer_ruc": pf.payer_ruc, "file_date": pf.file_date.strftime("%Y%m%d"),
        "period": _period_text(pf.period), "sequence": pf.sequence, "currency": pf.currency,
        "payer_name": ascii_upper(pf.payer_name)}, where="header")]
    seen: set[str] = set()
    for i, line in enumerate(pf.lines, start=1):
        _check_line(i, line)
        if line.payment_key in seen:
            raise InputError(f"payment key '{line.payment_key}' appears twice in one file",
                             field="payment_key", where=f"payment line {i}")
        seen.add(line.payment_key)
        name = ascii_upper(line.beneficiary)[:38]
        fast = _detail_fast(i, line, name)
        records.append(fast if fast is not None else _fmt(DETAIL, {
            "record_type": "D", "line": i, "payment_key": line.payment_key, "doc_type": line.doc_type,
            "doc_number": line.doc_number, "beneficiary": name,
            "pay_method": line.pay_method.value, "account": line.account, "amount": line.amount,
            "status": line.status.value, "return_code": line.return_code}, where=f"payment line {i}"))
    return records


def checksum(records: Iterable[str]) -> str:
    crc = 0
    for r in records:
        crc = zlib.crc32((r + EOL).encode("ascii"), crc)
    return f"{crc:08X}"


def write_payment_file(pf: PaymentFile) -> str:
    """The whole file as text (ASCII, CRLF line ends), trailer included."""
    records = format_records(pf)
    trailer = _fmt(TRAILER, {"record_type": "T", "count": len(pf.lines), "total": pf.total,
                             "checksum": checksum(records)}, where="trailer")
    return "".join(r + EOL for r in [*records, trailer])


def _parse(layout: Sequence[Field], record: str, *, lineno: int) -> dict[str, str]:
    out: dict[str, str] = {}
    pos = 0
    for name, width, kind in layout:
        raw = record[pos:pos + width]
        pos += width
        if kind == "N" and not raw.isdigit():
            raise FormatError(f"'{raw}' is not a number", field=name, where=f"line {lineno}")
        out[name] = raw.rstrip() if kind == "A" else raw
    return out


def read_payment_file(text: str) -> PaymentFile:
    """Parse and check a payment file (ours or the bank's answer); errors name the line."""
    rows = text.split("\n")
    if rows and rows[-1] == "":
        rows.pop()
    rows = [r[:-1] if r.endswith("\r") else r for r in rows]
    if len(rows) < 2:
        raise FormatError("a payment file needs at least a header and a trailer", where="line 1")
    for n, r in enumerate(rows, start=1):
        if len(r) != RECORD_LENGTH:
            raise FormatError(f"record has {len(r)} characters, expected {RECORD_LENGTH}", where=f"line {n}")
        if not r.isascii():
            raise FormatError("record has non-ASCII characters", where=f"line {n}")
    if rows[0][0] != "H":
        raise FormatError(f"first record must be the header 'H', found '{rows[0][0]}'", where="line 1")
    if rows[-1][0] != "T":
        raise FormatError(f"last record must be the trailer 'T', found '{rows[-1][0]}'", where=f"line {len(rows)}")
    h = _parse(HEADER, rows[0], lineno=1)
    try:
        file_date = dt.datetime.strptime(h["file_date"], "%Y%m%d").date()
    except ValueError:
        raise FormatError(f"'{h['file_date']}' is not a date AAAAMMDD", field="file_date", where="line 1") from None
    month = int(h["period"][4:])
    if not 1 <= month <= 12:
        raise FormatError(f"'{h['period']}' is not a month AAAAMM", field="period", where="line 1")
    period = int(h["period"][:4]) * 12 + month - 1
    lines = []
    for n, r in enumerate(rows[1:-1], start=2):
        if r[0] != "D":
            raise FormatError(f"expected a detail record 'D', found '{r[0]}'", where=f"line {n}")
        d = _parse(DETAIL, r, lineno=n)
        if int(d["line"]) != n - 1:
            raise FormatError(f"line number {int(d['line'])}, expected {n - 1}", field="line", where=f"line {n}")
        try:
            method = PayMethod(d["pay_method"])
            status = LineStatus(r[117])
        except ValueError as exc:
            raise FormatError(str(exc), where=f"line {n}") from None
        if d["return_code"] and d["return_code"] not in RETURN_CODES:
            raise FormatError(f"unknown return code '{d['return_code']}'", field="return_code", where=f"line {n}")
        if (status is LineStatus.RETURNED) != bool(d["return_code"]):
            raise FormatError("a returned payment ('R') needs a return code, and only it", field="return_code",
                              where=f"line {n}")
        lines.append(PaymentLine(d["payment_key"], d["doc_type"], d["doc_number"], d["beneficiary"],
                                 int(d["amount"]), method, d["account"], status, d["return_code"]))
    t = _parse(TRAILER, rows[-1], lineno=len(rows))
    last = f"line {len(rows)}"
    if int(t["count"]) != len(lines):
        raise FormatError(f"trailer count {int(t['count'])} but {len(lines)} detail records", field="count",
                          where=last)
    total = sum(line.amount for line in lines)
    if int(t["total"]) != total:
        raise FormatError(f"trailer total {int(t['total'])} céntimos but details add up to {total}",
                          field="total", where=last)
    crc = checksum(rows[:-1])
    if t["checksum"] != crc:
        raise FormatError(f"checksum {t['checksum']} does not match the records ({crc})", field="checksum",
                          where=last)
    return PaymentFile(file_date, period, tuple(lines), int(h["sequence"]), h["payer_ruc"], h["payer_name"],
                       h["currency"], crc)


# --------------------------------------------------------------------------------------------
# Reconciliation


@dataclass(frozen=True)
class Reconciliation:
    paid: tuple[str, ...]                        # keys confirmed paid
    returned: tuple[tuple[str, str, int], ...]   # key, return code, amount
    missing: tuple[str, ...]                     # sent but not in the answer (still pending)
    unexpected: tuple[str, ...]                  # in the answer but never sent
    amount_mismatch: tuple[str, ...]             # same key, different amount

    @property
    def returned_total(self) -> int:
        return sum(a for _, _, a in self.returned)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.unexpected or self.amount_mismatch)


def reconcile(sent: PaymentFile, answer: PaymentFile) -> Reconciliation:
    """Match the bank's answer with the file sent, by payment key.

    Returned payments go back to the ledger (the fund gets the money back) and their installments
    become due again in the next run once the worker's payment details are fixed.
    """
    sent_by_key = {line.payment_key: line for line in sent.lines}
    paid, returned, unexpected, mismatch = [], [], [], []
    seen = set()
    for line in answer.lines:
        orig = sent_by_key.get(line.payment_key)
        if orig is None:
            unexpected.append(line.payment_key)
            continue
        seen.add(line.payment_key)
        if orig.amount != line.amount:
            mismatch.append(line.payment_key)
            continue
        if line.status is LineStatus.PAID:
            paid.append(line.payment_key)
        elif line.status is LineStatus.RETURNED:
            returned.append((line.payment_key, line.return_code, line.amount))
    missing = [k for k in sent_by_key if k not in seen]
    # Lines answered with a blank status are also still pending.
    missing += [line.payment_key for line in answer.lines
                if line.payment_key in sent_by_key and line.status is LineStatus.SENT
                and line.payment_key not in mismatch]
    return Reconciliation(tuple(paid), tuple(returned), tuple(missing), tuple(unexpected), tuple(mismatch))


def payee_name(full_name: str | None, worker_ref: str) -> str:
    """The bank file's payee name: the registered ``full_name``, else ``ASEGURADO <id>``."""
    name = " ".join((full_name or "").split())
    return name if name else f"ASEGURADO {worker_ref}"
