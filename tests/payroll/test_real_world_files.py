"""Issue 31: PLAME and T-Registro files as the payroll software employers use writes them.

The files under ``tests/payroll/files/`` follow what real exporters emit (an Odoo localisation's
one-digit document types and empty devengados on paid-only concepts; a PHP program's devengado
always 0.00, CRLF and no final newline; a VB6 program's bajas with an empty fecha_inicio; a large
ERP's re-hired worker on two payroll records, a DNI with its check character, and its whole export
folder with .jor/.snl/.tra and files the insurance does not need), in cp1252 with CRLF, trailing
pipes. Each is imported on SQLite and PostgreSQL and checked to the céntimo and the day, by hand:
RMV of March 2025 S/ 1,130; contribution 1.16 % of the base (art. 8), the base the pay floored at
the RMV (Ley 26790 art. 6).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.domain.payroll import ImportSummary
from seguro_desempleo.services.payroll_import import register_concept_flag
from seguro_desempleo.storage import intake
from seguro_desempleo.storage.uow import SqlUnitOfWork

FILES = Path(__file__).parent / "files"
TODAY = dt.date(2025, 4, 20)
MARCH = 2025 * 12 + 2
A, B, C, D = "20000000311", "20000000320", "20000000338", "20000000346"


def run(engine: sa.Engine, files: list[Path], *, partial: bool = False) -> ImportSummary:
    with SqlUnitOfWork(engine) as uow:
        s = import_files(files, uow=uow, today=TODAY, partial=partial)
        uow.commit()
    return s


def month(engine: sa.Engine, doc_type: str, number: str) -> list[tuple[int, int, int, int]]:
    """(period, insurable pay, base, contribution) of the worker's records in force."""
    with SqlUnitOfWork(engine) as uow:
        w = uow.workers.by_document(doc_type, number)
        assert w is not None and w.id is not None
        return [(r.period, r.insurable_pay, r.base, r.contribution) for r in uow.contributions.for_worker(w.id)]


def worker_id(engine: sa.Engine, doc_type: str, number: str) -> int:
    with SqlUnitOfWork(engine) as uow:
        w = uow.workers.by_document(doc_type, number)
        assert w is not None and w.id is not None
        return w.id


def periods(engine: sa.Engine, number: str) -> list[tuple[dt.date, dt.date | None, str | None]]:
    with SqlUnitOfWork(engine) as uow:
        return [(p.start_date, p.end_date, p.termination_cause)
                for p in uow.periods.for_worker(worker_id(engine, "01", number))]


def codes(report_items: list) -> list[tuple[int, str, str]]:  # type: ignore[type-arg]
    return [(i.line, i.field, i.code) for i in report_items]


def test_odoo_one_digit_document_types_and_paid_only_concepts(engine: sa.Engine) -> None:
    """Items 1, 3 and 8: ``1|07951545|…`` is DNI 01; 0605/0608 with the devengado empty are
    accepted (Estructura 18: only the amount paid counts for them); ``121`` is concept 0121.
    1,500.00 → 1.16 % = 17.40; 1,130.00 → 13.108 → 13.11."""
    s = run(engine, [FILES / "odoo" / f"0601202503{A}.rem"])
    assert (s.accepted, s.rejected) == (1, 0), s.issues
    assert month(engine, "01", "07951545") == [(MARCH, 150_000, 150_000, 1_740)]
    assert month(engine, "01", "07951546") == [(MARCH, 113_000, 113_000, 1_311)]
    assert s.files[0].contribution_due == 1_740 + 1_311
    assert s.notices == []


def test_php_devengado_zero_counts_the_paid_amount_and_deductions_lower_the_base(engine: sa.Engine) -> None:
    """Item 2 and 7: every income line has devengado 0.00 and the amount in pagado (the program
    never fills the accrued amount): the paid amount counts, flagged on each line. Tardanzas
    (0704) 100.00 and inasistencias (0705) 150.00 lower EsSalud's base as PLAME does:
    2,500.00 − 100.00 − 150.00 = 2,250.00 → 26.10; 1,800.00 → 20.88."""
    s = run(engine, [FILES / "php" / f"0601202503{B}.rem"])
    assert (s.accepted, s.rejected) == (1, 0), s.issues
    assert month(engine, "01", "45678912") == [(MARCH, 225_000, 225_000, 2_610)]
    assert month(engine, "01", "45678913") == [(MARCH, 180_000, 180_000, 2_088)]
    assert codes(s.notices) == [(1, "devengado", "accrued_zero_paid_counted"),
                                (5, "devengado", "accrued_zero_paid_counted")]
    d = s.as_dict()
    assert d["notices"] == 2 and d["details"][0]["notices"][0]["line"] == 1


def test_devengado_zero_in_a_declaration_that_fills_it_is_pay_of_an_earlier_month(engine: sa.Engine,
                                                                                     tmp_path: Path) -> None:
    """Item 2, the other side: where the program fills the accrued amount, a line with devengado
    0.00 and an amount paid is pay accrued in another month: not counted in this one, flagged."""
    f = tmp_path / f"0601202503{B}.rem"
    f.write_bytes(b"01|45678912|0121|2000.00|2000.00|\r\n01|45678912|0105|0.00|300.00|\r\n")
    s = run(engine, [f])
    assert month(engine, "01", "45678912") == [(MARCH, 200_000, 200_000, 2_320)]
    assert codes(s.notices) == [(2, "devengado", "accrued_zero_paid_ignored")]


def test_vb6_bajas_with_an_empty_start_reach_the_periods(engine: sa.Engine, tmp_path: Path) -> None:
    """Item 4: the baja of 45678912 (no period on file) opens one from its first month with pay
    (March, from the .rem of the same command) to 31/03/2025; 45678913's closes the alta of the
    same file on 15/03/2025; 45678914 (no period, no pay) is kept pending and reported; when a
    later file brings its alta, the pending baja closes it."""
    s = run(engine, [FILES / "vb6" / f"RP_{B}.per", FILES / "php" / f"0601202503{B}.rem"])
    assert (s.accepted, s.rejected) == (2, 0), s.issues
    per = s.files[0]
    assert codes(per.notices) == [(1, "fecha_fin", "termination_opened"), (3, "fecha_fin", "termination_closed"),
                                  (4, "fecha_fin", "termination_pending")]
    assert periods(engine, "45678912") == [(dt.date(2025, 3, 1), dt.date(2025, 3, 31), "01")]
    assert periods(engine, "45678913") == [(dt.date(2024, 2, 1), dt.date(2025, 3, 15), "02")]
    assert periods(engine, "45678914") == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(intake.pending_termination)).scalar() == 1
        assert intake.issuing_country(conn, worker_id(engine, "07", "AB123456")) == "076"
    f = tmp_path / f"RP_{B}.per"  # the employer's next T-Registro file: the alta
    f.write_bytes(b"01|45678914|604|1|1|01/06/2023|||\r\n")
    assert run(engine, [f]).rejected == 0
    assert periods(engine, "45678914") == [(dt.date(2023, 6, 1), dt.date(2025, 2, 28), "01")]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(intake.pending_termination)).scalar() == 0


def test_altas_and_bajas_in_separate_files_of_one_month(engine: sa.Engine, tmp_path: Path) -> None:
    """Item 4: the baja file first, the alta file after, in one command: the baja still closes it."""
    (tmp_path / "bajas").mkdir()
    (tmp_path / "altas").mkdir()
    baja = tmp_path / "bajas" / f"RP_{B}.per"
    baja.write_bytes(b"01|45678915|604|1|1||20/03/2025|01||\r\n")
    alta = tmp_path / "altas" / f"RP_{B}.per"
    alta.write_bytes(b"01|45678915|604|1|1|01/01/2025|||\r\n")
    s = run(engine, [baja, alta])
    assert (s.accepted, s.rejected) == (2, 0), s.issues
    assert periods(engine, "45678915") == [(dt.date(2025, 1, 1), dt.date(2025, 3, 20), "01")]


def test_erp_rehire_summed_check_character_and_the_export_folder(engine: sa.Engine) -> None:
    """Items 5, 6 and 8: 45678920 on two payroll records (600.00 + 900.00) and once more under its
    DNI with the check character (456789205: 50.00 of overtime): 1,550.00 → 17.98; 45678921
    1,200.00 less 200.00 of 0707 (deducible de la base) = 1,000.00, below the RMV: base 1,130.00 →
    13.11. The folder's .toc, .ide and .pen are skipped with a notice; .jor, .snl and .tra are
    read and stored."""
    folder = sorted((FILES / "erp").iterdir())
    s = run(engine, folder)
    assert s.rejected == 0, s.issues
    by_kind = {Path(f.file).suffix: f for f in s.files}
    assert {k: f.status for k, f in by_kind.items()} == {
        ".jor": "accepted", ".pen": "skipped", ".rem": "accepted", ".snl": "accepted", ".toc": "skipped",
        ".ide": "skipped", ".tra": "accepted"}
    assert month(engine, "01", "45678920") == [(MARCH, 155_000, 155_000, 1_798)]
    assert month(engine, "01", "45678921") == [(MARCH, 100_000, 113_000, 1_311)]
    assert codes(by_kind[".rem"].notices) == [(2, "concepto", "line_summed")]
    assert [n.code for n in by_kind[".toc"].notices] == ["file_skipped"]
    w20, w21 = worker_id(engine, "01", "45678920"), worker_id(engine, "01", "45678921")
    with engine.connect() as conn:
        assert intake.subsidised_months(conn, w20) == [(MARCH, "22", 10)]
        assert intake.subsidised_months(conn, w21) == [(MARCH, "21", 3)]
        assert intake.suspensions(conn, w21) == [(MARCH, "21", 3), (MARCH, "23", 5)]
        assert intake.worked_minutes(conn, w20) == [(MARCH, 192 * 60, 10 * 60 + 30)]
        assert intake.contract_type_at(conn, w20, C, dt.date(2025, 3, 1)) == "02"
        assert intake.contract_type_at(conn, w21, C, dt.date(2025, 3, 1)) == "09"
        assert intake.contract_type_at(conn, w21, A, dt.date(2025, 3, 1)) is None


def test_a_second_snl_for_the_month_replaces_the_first(engine: sa.Engine, tmp_path: Path) -> None:
    f = tmp_path / f"0601202503{C}.snl"
    f.write_bytes(b"01|45678920|22|31|\r\n")
    run(engine, [f])
    f.write_bytes(b"01|45678920|22|30|\r\n01|45678920|21|1|\r\n")
    run(engine, [f])
    with engine.connect() as conn:
        assert intake.subsidised_months(conn, worker_id(engine, "01", "45678920")) == [
            (MARCH, "21", 1), (MARCH, "22", 30)]


def test_otros_conceptos_count_once_the_employer_registers_the_flag(engine: sa.Engine, tmp_path: Path) -> None:
    """Item 7: 1001 (SI/NO in Tabla 22, the employer sets it) is not counted, with a notice,
    until registered; the rectification after registering it counts 1,130.00 + 800.00."""
    s = run(engine, [FILES / "otros" / f"0601202503{D}.rem"])
    assert codes(s.notices) == [(2, "concepto", "concept_flag_unregistered")]
    assert month(engine, "01", "45678930") == [(MARCH, 113_000, 113_000, 1_311)]
    with SqlUnitOfWork(engine) as uow:
        assert register_concept_flag(uow, D, "1001", True) == "1001"
        uow.commit()
    again = tmp_path / f"0601202503{D}.rem"
    again.write_bytes((FILES / "otros" / f"0601202503{D}.rem").read_bytes() + b"\r\n")  # a rectificatoria
    s2 = run(engine, [again])
    assert s2.notices == [] and s2.superseded == 1
    assert month(engine, "01", "45678930") == [(MARCH, 193_000, 193_000, 2_239)]


@pytest.mark.parametrize(("name", "content", "expected"), [
    (f"0601202503{A}.rem", b"01|45678912|0121|100|100|\r\n01|45678912|0121|100|100|\r\n",
     (2, "concepto", "line_duplicate")),                                   # identical content: still refused
    (f"0601202503{A}.rem", b"8|45678912|0121|100|100|\r\n", (1, "tipo_doc", "doc_type_unknown")),
    (f"0601202503{A}.rem", b"01|456789121|0121|100|100|\r\n", (1, "num_doc", "dni_invalid")),  # wrong check
    (f"RP_{A}.per", b"01|456789121|604|1|1|01/01/2024|||\r\n", (1, "num_doc", "dni_invalid")),
    (f"0601202503{A}.rem", b"01|45678912|0121||100|\r\n", (1, "devengado", "amount_missing")),  # not paid-only
    (f"RP_{A}.per", b"07|AB123456||1|1|01/01/2024|||\r\n", (1, "pais", "country_missing")),
    (f"RP_{A}.per", b"01|45678912|604|1|1||31/03/2025|||\r\n", (1, "motivo", "cause_missing")),
    (f"0601202503{A}.snl", b"01|45678912|99|3|\r\n", (1, "tipo_suspension", "snl_type_unknown")),
    (f"0601202503{A}.snl", b"01|45678912|21|32|\r\n", (1, "dias", "days_invalid")),
    (f"0601202503{A}.jor", b"01|45678912|160|75|0|0|\r\n", (1, "horas", "time_invalid")),
    (f"RP_{A}.tra", b"01|45678912|604|01|05|000000|0|||77|0|1|0|0|1|1500|01|0|0|1|21|0||\r\n",
     (1, "tipo_contrato", "contract_type_unknown")),
])
def test_refusals_name_the_file_line_and_field(engine: sa.Engine, tmp_path: Path, name: str, content: bytes,
                                               expected: tuple[int, str, str]) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    s = run(engine, [f])
    assert s.rejected == 1
    assert codes(s.issues)[0] == expected
    assert s.issues[0].one_line().startswith(f"{f}:{expected[0]}: field '{expected[1]}'")
    assert "45678912" not in s.issues[0].reason and "45678912" not in s.issues[0].message_es


def test_a_passport_from_another_country_is_another_person(engine: sa.Engine, tmp_path: Path) -> None:
    """Item 8: the issuing country is part of a 07/24 document's identity (decision 0411, which
    replaces 0334's refusal ``country_conflict``): a second passport with the same number from
    elsewhere is another worker (tests/payroll/test_identity.py has the PLAME side)."""
    f = tmp_path / f"RP_{A}.per"
    f.write_bytes(b"07|AB123456|076|1|1|01/01/2024|||\r\n")
    assert run(engine, [f]).rejected == 0
    g = tmp_path / "b" / f"RP_{A}.per"
    g.parent.mkdir()
    g.write_bytes(b"07|AB123456|032|1|1|01/02/2024|||\r\n")
    s = run(engine, [g])
    assert s.rejected == 0 and s.issues == []
    with SqlUnitOfWork(engine) as uow:
        one, other = uow.workers.by_document("07", "AB123456", "076"), uow.workers.by_document("07", "AB123456", "032")
        assert one is not None and other is not None and one.id != other.id


def test_an_identical_repeat_is_refused_whatever_the_amounts_spelling(engine: sa.Engine, tmp_path: Path) -> None:
    """``3000`` and ``3000.00`` are one amount: the repeat is pay counted twice, refused."""
    f = tmp_path / f"0601202503{A}.rem"
    f.write_bytes(b"01|45678912|0121|3000|3000|\r\n01|45678912|0121|3000.00|3000.0|\r\n")
    s = run(engine, [f])
    assert codes(s.issues) == [(2, "concepto", "line_duplicate")]
