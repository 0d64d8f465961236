"""PLAME / T-Registro / CSV import on SQLite and PostgreSQL: atomic, idempotent, rectifications."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.domain.payroll import ISSUE_CODES, ImportSummary
from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.rules.financing import monthly_amounts
from seguro_desempleo.services import ledger
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.payroll.helpers import bad_check_ruc, dni, make_ruc, write_csv, write_per, write_rem

TODAY = dt.date(2025, 6, 20)
MARCH = 2025 * 12 + 2


def run(engine: sa.Engine, files: list[Path], *, partial: bool = False) -> ImportSummary:
    with SqlUnitOfWork(engine) as uow:
        s = import_files(files, uow=uow, today=TODAY, partial=partial)
        uow.commit()
    return s


def wid(uow: SqlUnitOfWork, n: int) -> int:
    """The worker id of the test DNI number *n*."""
    w = uow.workers.by_document("01", dni(n))
    assert w is not None and w.id is not None
    return w.id


def snapshot(engine: sa.Engine) -> dict[str, list[tuple[object, ...]]]:
    out = {}
    with engine.connect() as conn:
        for t in ("employer", "worker", "employment_period", "import_file", "declaration", "contribution",
                  "ledger_entry", "ledger_line", "ledger_account"):
            cols = [c for c in sa.inspect(engine).get_columns(t)
                    if c["name"] not in ("imported_at", "created_at", "registered_at")]
            names = ", ".join(c["name"] for c in cols)
            out[t] = [tuple(r) for r in conn.execute(sa.text(f"SELECT {names} FROM {t} ORDER BY 1"))]
    return out


def test_rem_import_contributions_rectification_and_idempotency(engine: sa.Engine, tmp_path: Path) -> None:
    ruc = make_ruc(1)
    f1 = write_rem(tmp_path, ruc, "2025-03", [
        ("01", dni(1), "0121", "3500.00", "3500.00"),   # basic pay: insurable
        ("01", dni(1), "0406", "3500", "3500"),         # gratificación: not insurable (EsSalud = NO)
        ("01", dni(2), "0121", "500", "500"),           # below the RMV (S/ 1,130 in 2025): base = RMV
        ("01", dni(3), "0406", "900.50", "900.50"),     # no insurable pay: declared, base 0
    ])
    s = run(engine, [f1])
    assert (s.accepted, s.rejected, s.duplicates) == (1, 0, 0)
    with SqlUnitOfWork(engine) as uow:
        ids = {n: wid(uow, n) for n in (1, 2, 3)}
        recs = {n: uow.contributions.for_worker(ids[n])[0] for n in (1, 2, 3)}
        assert recs[1].insurable_pay == 350_000 and recs[1].base == 350_000
        assert recs[1].contribution == 4060 and recs[1].employer_part == 2030 and recs[1].cts_part == 2030
        assert recs[2].insurable_pay == 50_000 and recs[2].base == 113_000 and recs[2].contribution == 1311
        assert recs[2].employer_part + recs[2].cts_part == 1311
        assert recs[3].insurable_pay == 0 and recs[3].contribution == 0
        bal = {b.code: b.balance for b in ledger.balances(uow)}
        assert bal["1210"] + bal["1220"] == 4060 + 1311
        assert bal["4100"] + bal["4110"] == 4060 + 1311
    before = snapshot(engine)
    again = run(engine, [f1])
    assert again.duplicates == 1 and again.accepted == 0
    assert snapshot(engine) == before

    # Rectification: a new file for the same employer and month supersedes the first one.
    f1.unlink()
    f2 = write_rem(tmp_path, ruc, "2025-03", [("01", dni(1), "0121", "4000.00", "4000.00")])
    s2 = run(engine, [f2])
    assert s2.superseded == 1 and s2.accepted == 1
    with SqlUnitOfWork(engine) as uow:
        emp = uow.employers.by_ruc(ruc)
        assert emp is not None and emp.id is not None
        hist = uow.declarations.history(emp.id, MARCH)
        assert [(d.version, d.status) for d in hist] == [(1, "superseded"), (2, "active")]
        assert [r.insurable_pay for r in uow.contributions.for_worker(wid(uow, 1))] == [400_000]
        assert uow.contributions.for_worker(wid(uow, 2)) == []
        assert len(uow.contributions.for_worker(wid(uow, 2), active_only=False)) == 1
        bal = {b.code: b.balance for b in ledger.balances(uow)}
        assert bal["1210"] + bal["1220"] == 4640          # only the active declaration is receivable
        assert ledger.trial_balance(uow).balanced
        ledger.verify(uow)
    assert_no_orphans(engine)


def assert_no_orphans(engine: sa.Engine) -> None:
    """contribution and declaration have no FOREIGN KEYs (volume): every row must still point at
    real rows, and each declaration's stored dues are what its records owe by the rules."""
    checks = (("contribution", "declaration", "declaration_id"), ("contribution", "worker", "worker_id"),
              ("declaration", "employer", "employer_id"), ("declaration", "import_file", "import_file_id"))
    with engine.connect() as conn:
        for child, table, col in checks:
            n = conn.execute(sa.text(f"SELECT count(*) FROM {child} c WHERE NOT EXISTS "
                                     f"(SELECT 1 FROM {table} t WHERE t.id = c.{col})")).scalar()
            assert n == 0, f"{child}.{col} without {table}"
        rows = conn.execute(sa.text("SELECT c.declaration_id, c.period, c.insurable_pay FROM contribution c")).all()
        decls = {int(i): (int(n), int(t), int(e)) for i, n, t, e in conn.execute(sa.text(
            "SELECT id, workers, total_due, employer_due FROM declaration"))}
    amounts = monthly_amounts([r[2] for r in rows], [r[1] for r in rows], default_parameters())
    owed: dict[int, list[int]] = {}
    for (d, _, _), t, e in zip(rows, amounts.total, amounts.employer, strict=True):
        acc = owed.setdefault(int(d), [0, 0, 0])
        acc[0] += 1
        acc[1] += int(t)
        acc[2] += int(e)
    for d, (n, total, employer) in decls.items():
        assert tuple(owed.get(d, [0, 0, 0])) == (n, total, employer), f"declaration {d}"


def test_same_employer_month_twice_in_one_run(engine: sa.Engine, tmp_path: Path) -> None:
    ruc = make_ruc(2)
    a = write_rem(tmp_path, ruc, "2025-01", [("01", dni(1), "0121", "2000", "2000")])
    sub = tmp_path / "later"
    sub.mkdir()
    b = write_rem(sub, ruc, "2025-01", [("01", dni(1), "0121", "2500", "2500")])
    s = run(engine, [a, b])
    assert s.accepted == 2 and s.superseded == 1
    with SqlUnitOfWork(engine) as uow:
        assert [r.insurable_pay for r in uow.contributions.for_worker(wid(uow, 1))] == [250_000]
        assert uow.declarations.count("active") == 1 and uow.declarations.count("superseded") == 1


def test_identical_content_for_another_month_is_imported(engine: sa.Engine, tmp_path: Path) -> None:
    """Same workers and pay in March and April: byte-identical files, two declarations (not a duplicate)."""
    ruc = make_ruc(5)
    lines = [("01", dni(1), "0121", "2000", "2000"), ("01", dni(2), "0121", "3000", "3000")]
    march = write_rem(tmp_path, ruc, "2025-03", lines)
    april = write_rem(tmp_path, ruc, "2025-04", lines)
    assert march.read_bytes() == april.read_bytes()
    s1 = run(engine, [march])
    s2 = run(engine, [april])
    assert (s1.accepted, s1.duplicates) == (1, 0)
    assert (s2.accepted, s2.duplicates, s2.superseded) == (1, 0, 0)
    with SqlUnitOfWork(engine) as uow:
        assert [r.period for r in uow.contributions.for_worker(wid(uow, 1))] == [MARCH, MARCH + 1]
        assert uow.declarations.count("active") == 2
    # Both again, and under another employer's RUC the same bytes are a third declaration.
    other = write_rem(tmp_path, make_ruc(6), "2025-03", lines)
    before = snapshot(engine)
    again = run(engine, [march, april])
    assert (again.accepted, again.duplicates) == (0, 2)
    assert snapshot(engine) == before
    s3 = run(engine, [other])
    assert (s3.accepted, s3.duplicates) == (1, 0)


def test_bad_lines_reject_the_whole_file_with_reasons(engine: sa.Engine, tmp_path: Path) -> None:
    ruc = make_ruc(3)
    f = write_rem(tmp_path, ruc, "2025-02", [
        ("01", dni(1), "0121", "3000", "3000"),
        ("01", "1234", "0121", "3000", "3000"),                # DNI length
        ("05", dni(2), "0121", "3000", "3000"),                # unknown document type
        ("01", dni(3), "9999", "3000", "3000"),                # unknown concept
        ("01", dni(3), "0804", "3000", "3000"),                # a total PLAME computes
        ("01", dni(4), "0121", "3000,50", "3000"),             # malformed amount
        ("01", dni(1), "0121", "3000", "3000"),                # line 1 again, same amounts (issue 31: other
                                                               # amounts would be summed)
        ("06", "20100070970", "0121", "10", "10"),             # RUC as a worker document
        "01|12345678|0121",                                    # too few fields
        ("01", dni(5), "0121", "", ""),                        # no amount
    ])
    before = snapshot(engine)
    s = run(engine, [f])
    assert s.rejected == 1 and s.accepted == 0
    got = {(i.line, i.field) for i in s.issues}
    assert got == {(2, "num_doc"), (3, "tipo_doc"), (4, "concepto"), (5, "concepto"), (6, "devengado"),
                   (7, "concepto"), (8, "tipo_doc"), (9, "line"), (10, "devengado")}
    assert all(i.file == str(f) for i in s.issues)
    assert "first at line 1" in next(i.reason for i in s.issues if i.line == 7)
    assert dni(4) not in " ".join(i.reason for i in s.issues)  # reasons never echo a document number
    codes = {i.line: i.code for i in s.issues}
    assert codes == {2: "dni_invalid", 3: "doc_type_unknown", 4: "concept_unknown", 5: "concept_computed",
                     6: "amount_invalid", 7: "line_duplicate", 8: "doc_type_ruc", 9: "fields_count",
                     10: "amount_missing"}
    es = {i.line: i.message_es for i in s.issues}
    assert es[7] == ("el mismo trabajador, concepto y montos dos veces (se contaría dos veces la remuneración) "
                     "(primera vez en la línea 1)")
    assert es[4] == "código de concepto '9999' desconocido (Tabla 22)"
    assert es[9] == "se esperaban 5 campos separados por '|', se encontraron 3"
    assert all(c in ISSUE_CODES and m and dni(4) not in m for c, m in zip(codes.values(), es.values(), strict=True))
    assert es[2] == ISSUE_CODES["dni_invalid"]
    d = s.as_dict()["details"][0]["issues"][0]
    assert {"code", "reason", "message_es", "field", "line"} <= set(d)
    assert snapshot(engine) == before

    s2 = run(engine, [f], partial=True)
    assert s2.files[0].status == "partial" and s2.files[0].accepted_lines == 1
    with SqlUnitOfWork(engine) as uow:
        assert uow.contributions.count() == 1


@pytest.mark.parametrize("name, why", [
    (f"0601202502{bad_check_ruc(4)}.rem", "RUC"),
    ("0601202513" + make_ruc(4) + ".rem", "month"),
    ("planilla.rem", "named"),
    ("0601202512" + make_ruc(4) + ".rem", "future"),
])
def test_file_level_errors(engine: sa.Engine, tmp_path: Path, name: str, why: str) -> None:
    f = tmp_path / name
    f.write_text(f"01|{dni(1)}|0121|3000|3000|\n")
    s = run(engine, [f])
    assert s.rejected == 1
    assert why in s.issues[0].reason
    assert s.issues[0].line == 0


def test_empty_rem_is_a_nil_declaration(engine: sa.Engine, tmp_path: Path) -> None:
    ruc = make_ruc(5)
    f = write_rem(tmp_path, ruc, "2025-03", [("01", dni(1), "0121", "3000", "3000")])
    run(engine, [f])
    f.unlink()
    nil = write_rem(tmp_path, ruc, "2025-03", [])
    s = run(engine, [nil])
    assert s.accepted == 1 and s.superseded == 1
    with SqlUnitOfWork(engine) as uow:
        assert uow.contributions.count() == 0
        bal = {b.code: b.balance for b in ledger.balances(uow)}
        assert bal["1210"] == 0 and bal["4100"] == 0


def test_per_file_records_periods(engine: sa.Engine, tmp_path: Path) -> None:
    ruc = make_ruc(6)
    f = write_per(tmp_path, ruc, [
        ("01", dni(1), "604", "1", "1", "01/02/2023", "31/03/2025", "03", ""),
        ("01", dni(2), "604", "1", "1", "15/06/2024", "", "", ""),
        ("01", dni(2), "604", "1", "2", "15/06/2024", "", "21", ""),   # tipo de trabajador: skipped
    ])
    s = run(engine, [f])
    assert s.accepted == 1 and s.files[0].periods == 2
    with SqlUnitOfWork(engine) as uow:
        w = uow.workers.by_document("01", dni(1))
        assert w is not None and w.id is not None
        (p,) = uow.periods.for_worker(w.id)
        assert p.end_date == dt.date(2025, 3, 31) and p.termination_cause == "03"
    bad = tmp_path / "b"
    bad.mkdir()
    g = write_per(bad, ruc, [
        ("01", dni(3), "604", "1", "1", "01/02/2023", "31/01/2023", "03", ""),   # end before start
        ("01", dni(3), "604", "1", "1", "2023-02-01", "", "", ""),             # ISO date
        ("01", dni(3), "604", "1", "1", "01/02/2023", "28/02/2023", "", ""),   # end without reason
        ("01", dni(3), "604", "1", "1", "01/02/2023", "28/02/2023", "77", ""),  # unknown reason
    ])
    s2 = run(engine, [g])
    assert s2.rejected == 1
    assert [(i.line, i.field) for i in s2.issues] == [(1, "fecha_fin"), (2, "fecha_inicio"), (3, "motivo"),
                                                        (4, "motivo")]


def test_csv_layout_many_employers(engine: sa.Engine, tmp_path: Path) -> None:
    r1, r2 = make_ruc(7), make_ruc(8)
    f = write_csv(tmp_path / "planilla.csv", [
        (r1, "2025-01", "01", dni(1), "0121", "2000.00", "2000.00"),
        (r2, "2025-01", "01", dni(1), "0121", "1500.00", "1500.00"),   # same person, second employer
        (r1, "2025-02", "01", dni(1), "0121", "2000.00", "2000.00"),
    ])
    s = run(engine, [f])
    assert s.accepted == 1 and s.files[0].declarations == 3
    with SqlUnitOfWork(engine) as uow:
        assert uow.workers.count() == 1 and uow.employers.count() == 2
        assert sorted(r.insurable_pay for r in uow.contributions.for_worker(wid(uow, 1))) == [150_000, 200_000,
                                                                                              200_000]
    g = write_csv(tmp_path / "bad.csv", [(bad_check_ruc(9), "2025-01", "01", dni(1), "0121", "1", "1"),
                                         (r1, "2025-1", "01", dni(1), "0121", "1", "1")])
    s2 = run(engine, [g])
    assert s2.rejected == 1
    assert [(i.line, i.field) for i in s2.issues] == [(2, "ruc"), (3, "periodo")]
    h = tmp_path / "nohead.csv"
    h.write_text("a,b\n1,2\n")
    assert "missing column" in run(engine, [h]).issues[0].reason


def test_employer_upload_declares_only_its_own_ruc(engine: sa.Engine, tmp_path: Path) -> None:
    """An employer's own upload (employer_ruc: the API and the employer's page) cannot write
    another employer's declarations: a .rem or .per named with another RUC is refused whole, and
    so is each CSV row for another RUC (the file whole, or the row alone with --partial)."""
    mine, theirs = make_ruc(21), make_ruc(22)
    d = tmp_path / "theirs"
    d.mkdir()
    theirs_rem = write_rem(d, theirs, "2025-03", [("01", dni(1), "0121", "3000.00", "3000.00")])
    assert run(engine, [theirs_rem]).accepted == 1  # the other employer's own declaration
    before = snapshot(engine)

    def own(files: list[Path], partial: bool = False) -> ImportSummary:
        with SqlUnitOfWork(engine) as uow:
            s = import_files(files, uow=uow, today=TODAY, partial=partial, employer_ruc=mine)
            uow.commit()
        return s

    e = tmp_path / "e"
    e.mkdir()
    rectification = write_rem(e, theirs, "2025-03", [("01", dni(2), "0121", "1.00", "1.00")])
    periods = write_per(e, theirs, [("01", dni(2), "604", "1", "1", "01/02/2023", "", "", "")])
    mixed = write_csv(e / f"planilla_{mine}.csv", [
        (mine, "2025-03", "01", dni(3), "0121", "2000.00", "2000.00"),
        (theirs, "2025-03", "01", dni(2), "0121", "1.00", "1.00"),
    ])
    s = own([rectification, periods, mixed])
    assert s.accepted == 0 and s.rejected == 3
    assert [(i.line, i.field, i.code) for i in s.issues] == [
        (0, "file name", "ruc_not_yours"), (0, "file name", "ruc_not_yours"), (3, "ruc", "ruc_not_yours")]
    assert all(i.message_es.startswith(ISSUE_CODES["ruc_not_yours"]) for i in s.issues)
    assert snapshot(engine) == before  # nothing of the other employer's changed, nothing written
    s2 = own([mixed], partial=True)  # the employer's own row alone
    assert s2.files[0].status == "partial" and s2.files[0].accepted_lines == 1
    with SqlUnitOfWork(engine) as uow:
        assert [r.insurable_pay for r in uow.contributions.for_worker(wid(uow, 1))] == [300_000]
        assert uow.workers.by_document("01", dni(2)) is None
        assert [r.insurable_pay for r in uow.contributions.for_worker(wid(uow, 3))] == [200_000]
    assert own([write_rem(e, mine, "2025-04", [("01", dni(3), "0121", "2000.00", "2000.00")])]).accepted == 1


def test_months_before_the_parameters_are_bad_input(engine: sa.Engine, tmp_path: Path) -> None:
    """A month the insurance's parameters do not cover (no RMV, no rate), or no month at all, is a
    bad line (CSV) or a bad file name (.rem) — not an error that stops the command: the other
    files are still imported."""
    from seguro_desempleo.rules.financing import first_month

    earliest = first_month(default_parameters(), 2025 * 12 + 5)
    before = f"{(earliest - 1) // 12:04d}-{(earliest - 1) % 12 + 1:02d}"
    ruc = make_ruc(31)
    csv = write_csv(tmp_path / "historia.csv", [
        (ruc, "0000-01", "01", dni(1), "0121", "2000.00", "2000.00"),
        (ruc, before, "01", dni(1), "0121", "2000.00", "2000.00"),
        (ruc, "2025-03", "01", dni(1), "0121", "2000.00", "2000.00"),
    ])
    old = write_rem(tmp_path, ruc, before, [("01", dni(2), "0121", "2000.00", "2000.00")])
    good = write_rem(tmp_path, ruc, "2025-04", [("01", dni(2), "0121", "2000.00", "2000.00")])
    s = run(engine, [csv, old, good])
    assert [f.status for f in s.files] == ["rejected", "rejected", "accepted"]
    assert [(i.line, i.field, i.code) for i in s.issues] == [
        (2, "periodo", "period_invalid"), (3, "periodo", "period_too_early"), (0, "file name", "period_too_early")]
    first = f"{earliest // 12:04d}-{earliest % 12 + 1:02d}"
    assert f"is before {first}" in s.issues[1].reason and f"{before} is before {first}" in s.issues[2].reason
    s2 = run(engine, [csv], partial=True)
    assert s2.files[0].status == "partial" and s2.files[0].accepted_lines == 1


def test_a_line_that_differs_by_spaces_or_letter_case_is_the_same_worker(engine: sa.Engine, tmp_path: Path) -> None:
    """Fields are compared as stored: trimmed, the document number in capitals. A line repeated
    with a space is a duplicate (its pay is not counted twice), and ``ab123`` under one employer
    and ``AB123`` under another are one worker, as the registry stores them."""
    r1, r2 = make_ruc(41), make_ruc(42)
    twice = write_rem(tmp_path, r1, "2025-03", ["01|45678912|0121|3000|3000|", "01| 45678912|0121|3000|3000|"])
    s = run(engine, [twice])
    assert s.rejected == 1 and [(i.line, i.code) for i in s.issues] == [(2, "line_duplicate")]
    assert "(first at line 1)" in s.issues[0].reason
    a = write_rem(tmp_path, r1, "2025-04", [("07", "ab123456", "0121", "3000.00", "3000.00")])
    b = write_rem(tmp_path, r2, "2025-04", [("07", "AB123456", "0121", "2000.00", "2000.00")])
    csv = write_csv(tmp_path / "mixto.csv", [(r1, "2025-05", "07", "Ab123456", "0121", "1000.00", "1000.00"),
                                            (r1, "2025-05", "07", "aB123456 ", "0121", "1000.00", "1000.00")])
    s2 = run(engine, [a, b, csv])
    assert [f.status for f in s2.files] == ["accepted", "accepted", "rejected"]
    assert [(i.line, i.code) for i in s2.issues] == [(3, "line_duplicate")]
    with SqlUnitOfWork(engine) as uow:
        w = uow.workers.by_document("07", "AB123456")
        assert w is not None and w.id is not None and uow.workers.count() == 1
        assert sorted(r.insurable_pay for r in uow.contributions.for_worker(w.id)) == [200_000, 300_000]


def test_reasons_never_quote_what_may_be_a_document_number(engine: sa.Engine, tmp_path: Path) -> None:
    """A line with a field missing or shifted puts the DNI where a document type or an amount
    belongs: its reason says what is wrong without quoting it (Ley 29733); short values are
    still quoted, as they help."""
    ruc = make_ruc(43)
    f = write_rem(tmp_path, ruc, "2025-03", ["45678912|0121|3000|3000|", "01|45678913|0121|45678914|3000|",
                                             "01|45678915|0121|12,50|3000|", "8|45678916|0121|1|1|"])
    s = run(engine, [f])
    assert [(i.line, i.field, i.code) for i in s.issues] == [
        (1, "tipo_doc", "doc_type_unknown"), (2, "devengado", "amount_invalid"), (3, "devengado", "amount_invalid"),
        (4, "tipo_doc", "doc_type_unknown")]
    text = " ".join(f"{i.reason} {i.message_es}" for i in s.issues)
    assert not any(d in text for d in ("45678912", "45678913", "45678914", "45678915", "45678916"))
    # (a one-digit type is read as Tabla 3's two digits since issue 31: "8" is "08", which does not exist)
    assert "'12,50'" in s.issues[2].reason and "'08'" in s.issues[3].reason
    per = write_per(tmp_path, ruc, ["45678912|01|604|1|1|01/03/2020|||"])
    assert "45678912" not in " ".join(i.reason for i in run(engine, [per]).issues)


def test_csv_rows_with_a_field_lost_or_added(engine: sa.Engine, tmp_path: Path) -> None:
    """Each row has the header's number of fields, or it is a bad line saying so (a short row is
    not read as an empty *pagado*, a long one does not make the whole file unreadable); blank
    lines are skipped, as in PLAME files."""
    ruc = make_ruc(44)
    f = tmp_path / "filas.csv"
    f.write_text("ruc,periodo,tipo_doc,num_doc,concepto,devengado,pagado\n"
                 f"{ruc},2025-03,01,{dni(1)},0121,3500.00\n"
                 f"{ruc},2025-03,01\n"
                 f"{ruc},2025-03,01,{dni(2)},0121,1,1,9\n"
                 "\n"
                 f'"{ruc}",2025-03,01,{dni(3)},0121,"1000.00",1000.00\n'
                 f"{ruc},2025-03,01,123,0121,1,1\n", encoding="utf-8")
    s = run(engine, [f])
    assert [(i.line, i.field, i.code) for i in s.issues] == [
        (2, "line", "fields_count"), (3, "line", "fields_count"), (4, "line", "fields_count"),
        (7, "num_doc", "dni_invalid")]
    assert "found 6" in s.issues[0].reason and "found 8" in s.issues[2].reason
    s2 = run(engine, [f], partial=True)
    assert s2.files[0].status == "partial" and s2.files[0].accepted_lines == 1


def test_a_line_gives_both_amounts(engine: sa.Engine, tmp_path: Path) -> None:
    """Estructura 18: the amount accrued is required when an amount paid is given, and the amount
    paid when an amount accrued is. A line with the accrued amount left out is not read as pay 0
    (the worker would lose the month)."""
    f = write_rem(tmp_path, make_ruc(45), "2025-03", ["01|45678912|0121||3000|", "01|45678913|0121|3000||",
                                                      "01|45678914|0121|||", "01|45678915|0121|0|0|"])
    s = run(engine, [f])
    assert [(i.line, i.field, i.code) for i in s.issues] == [
        (1, "devengado", "amount_missing"), (2, "pagado", "amount_missing"), (3, "devengado", "amount_missing")]
    assert "Estructura 18" in s.issues[0].reason and "Estructura 18" in s.issues[0].message_es


def test_unknown_extension_and_missing_file(engine: sa.Engine, tmp_path: Path) -> None:
    from seguro_desempleo.errors import InputError

    x = tmp_path / "x.txt"
    x.write_text("hola")
    assert run(engine, [x]).rejected == 1
    with pytest.raises(InputError, match="cannot read"):
        run(engine, [tmp_path / "nope.rem"])


def test_parquet_layout(engine: sa.Engine, tmp_path: Path) -> None:
    import polars as pl

    ruc = make_ruc(9)
    f = tmp_path / "planilla.parquet"
    pl.DataFrame({"ruc": [ruc, ruc], "periodo": ["2025-02", "2025-02"], "tipo_doc": ["01", "07"],
                  "num_doc": [dni(1), "AB123"], "concepto": ["0121", "0121"], "devengado": ["1500.00", "900"],
                  "pagado": ["1500.00", "900"]}).write_parquet(f)
    s = run(engine, [f])
    assert s.accepted == 1 and s.files[0].contributions == 2
    with SqlUnitOfWork(engine) as uow:
        w = uow.workers.by_document("07", "AB123")
        assert w is not None and w.id is not None
        (rec,) = uow.contributions.for_worker(w.id)
        assert rec.insurable_pay == 90_000 and rec.base == 113_000   # floored at the RMV
