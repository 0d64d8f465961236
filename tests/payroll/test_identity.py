"""Issue 31: the worker's identity is (document type, number, issuing country) in the database
(migration 0308, decision 0411). A passport 123456 from Brazil and one from Argentina are two
workers; a PLAME line (no country field) for that number is refused as ambiguous naming the
file, line and field; with one country holding it, the line is that worker's; a DNI is Peru's by
definition (a CHECK). Both engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.errors import InputError
from seguro_desempleo.storage import intake
from seguro_desempleo.storage.models import WorkerRow
from seguro_desempleo.storage.uow import SqlUnitOfWork

TODAY = dt.date(2025, 4, 20)
A = "20000000311"
MARCH = 2025 * 12 + 2


def run(engine: sa.Engine, files: list[Path]):  # type: ignore[no-untyped-def]
    with SqlUnitOfWork(engine) as uow:
        s = import_files(files, uow=uow, today=TODAY)
        uow.commit()
    return s


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def passports(engine: sa.Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [(int(i), str(c)) for i, c in conn.execute(
            sa.select(WorkerRow.id, WorkerRow.doc_country).where(WorkerRow.doc_type == "07",
                                                                 WorkerRow.doc_number == "AB123456")
            .order_by(WorkerRow.id))]


def pay(engine: sa.Engine, worker_id: int) -> list[tuple[int, int]]:
    with SqlUnitOfWork(engine) as uow:
        return [(r.period, r.insurable_pay) for r in uow.contributions.for_worker(worker_id)]


def test_one_number_from_two_countries_is_two_workers_and_a_plame_line_is_ambiguous(
        engine: sa.Engine, tmp_path: Path) -> None:
    write(tmp_path / "a" / f"RP_{A}.per", b"07|AB123456|076|1|1|01/01/2024|||\r\n")
    write(tmp_path / "b" / f"RP_{A}.per", b"07|AB123456|032|1|1|01/02/2024|||\r\n")
    assert run(engine, [tmp_path / "a" / f"RP_{A}.per"]).rejected == 0
    s = run(engine, [tmp_path / "b" / f"RP_{A}.per"])
    assert s.rejected == 0, s.issues                          # before: country_conflict, refused
    assert [c for _, c in passports(engine)] == ["076", "032"]
    rem = write(tmp_path / f"0601202503{A}.rem", b"01|45678912|0121|2000.00|2000.00|\r\n"
                                                 b"7|ab123456|0121|3000.00|3000.00|\r\n")
    s = run(engine, [rem])
    assert [(i.file, i.line, i.field, i.code) for i in s.issues] == [(str(rem), 2, "num_doc", "document_ambiguous")]
    assert "AB123456" not in s.issues[0].reason and "AB123456" not in s.issues[0].message_es
    snl = write(tmp_path / f"0601202503{A}.snl", b"07|AB123456|22|10|\r\n")
    s = run(engine, [snl])
    assert [(i.line, i.field, i.code) for i in s.issues] == [(1, "num_doc", "document_ambiguous")]


def test_a_plame_line_goes_to_the_one_worker_holding_the_number(engine: sa.Engine, tmp_path: Path) -> None:
    per = write(tmp_path / f"RP_{A}.per", b"07|AB123456|076|1|1|01/01/2024|||\r\n")
    rem = write(tmp_path / f"0601202503{A}.rem", b"07|AB123456|0121|3000.00|3000.00|\r\n")
    s = run(engine, [per, rem])
    assert s.rejected == 0, s.issues
    [(wid, country)] = passports(engine)
    assert country == "076" and pay(engine, wid) == [(MARCH, 300_000)]


def test_a_passport_first_seen_in_plame_takes_its_country_from_t_registro(engine: sa.Engine,
                                                                           tmp_path: Path) -> None:
    rem = write(tmp_path / f"0601202503{A}.rem", b"07|AB123456|0121|3000.00|3000.00|\r\n")
    assert run(engine, [rem]).rejected == 0
    [(wid, country)] = passports(engine)
    assert country == ""                                       # not known: not Peru's by default
    per = write(tmp_path / f"RP_{A}.per", b"07|AB123456|076|1|1|01/01/2024|||\r\n")
    assert run(engine, [per]).rejected == 0
    assert passports(engine) == [(wid, "076")]
    with engine.connect() as conn:
        assert intake.issuing_country(conn, wid) == "076"


def test_the_database_holds_the_identity(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.insert(WorkerRow).values(doc_type="07", doc_number="X1", doc_country="076"))
        conn.execute(sa.insert(WorkerRow).values(doc_type="07", doc_number="X1", doc_country="032"))
        conn.execute(sa.insert(WorkerRow).values(doc_type="01", doc_number="45678912"))
    for values in ({"doc_type": "07", "doc_number": "X1", "doc_country": "076"},     # the same identity twice
                   {"doc_type": "01", "doc_number": "45678913", "doc_country": "076"},  # a DNI is Peru's
                   {"doc_type": "01", "doc_number": "45678912", "doc_country": "604"}):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(sa.insert(WorkerRow).values(**values))
    with engine.connect() as conn:
        assert conn.execute(sa.select(WorkerRow.doc_country).where(WorkerRow.doc_number == "45678912")).scalar() == "604"
    with SqlUnitOfWork(engine) as uow, pytest.raises(InputError) as err:
        uow.workers.by_document("07", "X1")
    assert err.value.field == "doc_country"
    with SqlUnitOfWork(engine) as uow:
        w = uow.workers.by_document("07", "X1", "032")
        assert w is not None and w.doc_country == "032"
