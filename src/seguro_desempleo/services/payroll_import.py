"""Import monthly payroll declarations: PLAME ``.rem``, T-Registro ``.per``, CSV/Parquet layout.

One call is one transaction: every accepted file is written or nothing is (a crash or a kill
leaves the database as it was). A file with any bad line is rejected whole unless ``partial``;
an already imported file (same kind, same RUC and month in its name, same bytes: see
:func:`identity_key`) changes nothing and is reported as ``duplicate``. A
declaration for an employer-month that already has one supersedes it (rectificatoria): the old
version stays with ``status = superseded``, and so do its contribution records (a record is in
force when its declaration is).

Each accepted worker-month becomes a contribution record: the insurable pay (Tabla 22 concepts
with EsSalud = SI, accrued amounts). The base floored at the RMV and the art. 8 contribution with
its employer and CTS parts (``rules.financing.monthly_amounts``) are summed into the
declaration's dues; the record itself keeps only the pay (decision 0104). The ledger gets one
balanced entry per import: contributions receivable against contribution income, net of what
superseded declarations had recognised.

Writes are bulk, once per table and chunk: files are read and hashed ahead of the parser (by a
child process for a large run: :mod:`seguro_desempleo.services.payroll_read`), lines are parsed
and validated with polars chunk by chunk, and each chunk is then written at once
(:func:`_write_chunk`) — when the import owns its transaction, by a writer thread while the next
chunk is parsed (:class:`_Writer`). The import assigns the ids of its new rows
itself (:func:`_next_ids`, :func:`_resolve`) and writes employers, workers, declarations (version
and status decided in polars) and contribution records with one ``COPY`` (PostgreSQL; binary for
the contributions) or ``executemany`` (SQLite) each — no staging copy and no join in the
database. Into tables that were empty when it started (a first load) it builds the secondary
indexes, and on PostgreSQL some primary keys, after the rows (:func:`_start_bulk`).

Where each part is (decisions 0803, 0806): this module reads the files and hands their bytes to
the parsers — the port :class:`seguro_desempleo.domain.payroll_parsers.PayrollParsers`, the
readers of ``formats/`` behind it, handed in by the composition root (``bootstrap.import_files``);
:mod:`seguro_desempleo.services.payroll_run` holds the run's state, its writer thread, each chunk's
fates and units, the pending bajas and the flags; every statement — ``_write_chunk``, ``_resolve``,
``_next_ids``, ``_start_bulk`` and the rest — is in ``storage/payroll_sink.py`` and
``storage/payroll_bulk.py``, reached through ``uow.payroll_sink``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from seguro_desempleo.domain import dates
from seguro_desempleo.domain.codes import EMPLOYER_FLAGGED_CONCEPTS
from seguro_desempleo.domain.file_names import REM_NAME_RE
from seguro_desempleo.domain.payroll import ISSUE_CODES, NOT_YOURS, FileReport, ImportSummary, LineIssue
from seguro_desempleo.domain.payroll_parsers import CheckedLines, PayrollParsers, SourceFile
from seguro_desempleo.domain.registry import (
    FOREIGN_DOCUMENTS,
    Employer,
    EmploymentPeriod,
    Worker,
    ruc_valid_mask,
)
from seguro_desempleo.errors import FormatError
from seguro_desempleo.parameters import ParameterSet, default_parameters
from seguro_desempleo.periods import format_period, period_of
from seguro_desempleo.rules.financing import first_month
from seguro_desempleo.services import payroll_run as steps
from seguro_desempleo.services.payroll_read import KINDS, FileBatch, read_ahead
from seguro_desempleo.services.payroll_run import expired_terminations

log = logging.getLogger(__name__)

__all__ = ["KINDS", "expired_terminations", "import_files", "register_concept_flag"]

CHUNK_BYTES = 24 * 1024 * 1024
"""Files are parsed and staged in chunks of about this size: memory stays flat for a national month."""

FAST_MIN_BYTES = 1024 * 1024
"""From this many bytes of ``.rem`` files in a chunk on, their lines are first read by the
compiled fast path (:mod:`seguro_desempleo.formats.rem_scan`); smaller chunks (a web upload) go
straight to the polars path, which needs no compiled code loaded."""

Progress = Callable[[int, int], None]

UnitOfWork = Any
"""The unit of work the import runs in (``bootstrap.unit_of_work``): ``payroll_sink`` (the port
on the import's SQL, ``storage/payroll_sink.py``), ``payroll_conflicts()``, ``employers``,
``workers``, ``periods``, ``ledger``, ``commit``."""


def import_files(paths: Sequence[str | Path], *, parsers: PayrollParsers, uow: UnitOfWork | None = None,
                 unit_of_work: Callable[[], UnitOfWork] | None = None,
                 params: ParameterSet | None = None, partial: bool = False, today: dt.date | None = None,
                 progress: Progress | None = None, employer_ruc: str | None = None) -> ImportSummary:
    """Import *paths* in one transaction and return what happened to each file.

    Pass an open ``uow`` to import inside it (the caller commits), or *unit_of_work* (a factory
    of new ones) to let this function open, commit and close its own. *parsers* read the files
    (``formats/`` behind the port). The composition root wires both: ``bootstrap.import_files``
    takes ``uow`` or ``db`` as this function did before (decision 0806). *employer_ruc*: the files
    are that employer's own upload (the API, the employer's web page); a file or line for any
    other RUC is rejected (``ruc_not_yours``): an employer declares only its own payroll.
    """
    if uow is None and unit_of_work is None:
        raise TypeError("import_files needs an open uow or a unit_of_work factory")
    params = params or default_parameters()
    today = today or dt.date.today()
    # The import makes millions of short-lived objects in bulk and keeps few: the cyclic garbage
    # collector would rescan the large live frames and lists again and again (no cycles are made).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        # A concurrent import's refusal by the driver is one ConflictError (storage.payroll_sink.conflicts).
        if uow is None:
            assert unit_of_work is not None
            own = unit_of_work()
            with own.payroll_conflicts(), own:  # its own transaction: the writes may run on a thread
                summary = _import(own, parsers, paths, params, partial, today, progress, threaded=True,
                                  employer_ruc=employer_ruc)
                own.commit()
                return summary
        with uow.payroll_conflicts():
            return _import(uow, parsers, paths, params, partial, today, progress, employer_ruc=employer_ruc)
    finally:
        if gc_was_enabled:
            gc.enable()


def _import(uow: UnitOfWork, parsers: PayrollParsers, paths: Sequence[str | Path], params: ParameterSet,
            partial: bool, today: dt.date, progress: Progress | None, *, threaded: bool = False,
            employer_ruc: str | None = None) -> ImportSummary:
    from seguro_desempleo.services.governance import parameters_for  # baseline + instruments (issue 28)

    params = parameters_for(uow, params)
    summary = ImportSummary(started_at=dt.datetime.now(dt.UTC).replace(tzinfo=None))
    sink = uow.payroll_sink
    sink.prepare()
    run = steps._Run(writer=steps._Writer(threaded and sink.shareable()), only_ruc=employer_ruc,
               earliest=first_month(params, period_of(today)))
    run.declarations_before = sink.last_declaration_id()
    run.ambiguous = sink.ambiguous_documents()
    # The one date policy (issue 25, decision 0410): no month before the insurance's start.
    run.insurance_start = dates.insurance_start(params)
    run.earliest = max(run.earliest, period_of(run.insurance_start))
    try:
        names = [os.fspath(p) for p in paths]
        # files that register workers one by one (T-Registro, .snl, .jor): the registry is looked up
        per_files = any(n.lower().endswith((".per", ".snl", ".jor", ".tra")) for n in names)
        run.bulk = sink.start_bulk(registry_lookups=per_files)
        run.mine = sink.only_ours(run.bulk, per_files)
        if not per_files and _large_run(names):
            for table in ("employer", "worker"):
                if table not in run.mine:
                    run.known[table] = sink.preload_keys(table)
                    run.mine.add(table)
        if "worker" in run.mine:  # the parser finds the workers' ids itself (see _resolve)
            run.next_id["worker"] = sink.first_free_id("worker")
        seen_sha: set[str] = set()
        pending: list[FileBatch] = []
        size = 0
        done = 0
        total = len(paths)
        def flush() -> None:
            nonlocal pending, size, done
            n = sum(len(b.paths) for b in pending)
            _chunk(uow, sink, pending, run, seen_sha, summary, params, partial, today, parsers)
            done += n
            if progress:
                progress(done, total)
            pending, size = [], 0

        for batch in read_ahead(names):
            rest: FileBatch | None = batch
            del batch  # held by *pending* only (freed as soon as the chunk has split it)
            while rest is not None:
                # A batch that would pass the chunk's size is cut after the file that reaches it.
                head, rest = steps._cut(rest, CHUNK_BYTES - size)
                pending.append(head)
                size += len(head.data)
                del head
                if size >= CHUNK_BYTES:
                    flush()
        if pending:
            flush()
        run.writer.sync()
        sink.claim_ids(run)
    finally:
        run.writer.close()
    for rep in summary.files:
        rep.superseded = run.superseded.get(rep.sha256, 0)
    if run.employer_delta or run.cts_delta:
        steps._post_receivables(uow, run, today)
    if run.rectified:
        # A rectification is retroactive: the months it replaced have their payments applied to
        # the new dues (an overpayment moves to aportes por aplicar, money there is applied to a
        # rise), so a month paid in full leaves its receivables at exactly zero.
        from seguro_desempleo.services.employer_payments import reconcile_months

        reconcile_months(uow, pl.concat(run.rectified).unique().iter_rows(), at=today, params=params)
    sink.end_bulk(run.bulk)
    steps._resolve_terminations(uow, run, summary, today)
    if run.only_ruc is not None:  # an employer's own upload (API, web): decision 0413
        steps._flag_first_declarations(uow, run, summary, params, today)
    return summary


def _chunk(uow: UnitOfWork, sink: Any, pending: list[FileBatch], run: steps._Run,
           seen_sha: set[str], summary: ImportSummary, params: ParameterSet, partial: bool,
           today: dt.date, parsers: PayrollParsers) -> None:
    """Parse, validate and hand to the writer one chunk of files (*pending*, emptied here).

    A national month is 300,000 PLAME files: their names, duplicate checks, reports and
    ``import_file`` rows are handled as columns, with one small Python step per file (its
    report); only a file with a bad name is looked at alone, for the reason.
    """
    # A first load (import_file was empty) knows every file it has seen: no query.
    hashes = [k for b in pending for k in b.keys]
    known = (set() if "import_file" in run.bulk else
             sink.known_hashes_apart(hashes) if run.writer.threaded else
             run.writer.call(sink.known_hashes, hashes))
    del hashes
    latest = period_of(today)
    # A file's id is its place in the run (in summary.files): the declaration units of a chunk are
    # numbered in that order, so a later file of the same employer-month supersedes an earlier
    # one whatever their kinds.
    reps, rem_reports, rem_at, tables = _classify(uow, parsers, pending, run, known, seen_sha, summary, partial,
                                                  today)
    frames, info, fast = _parse(parsers, pending, run, reps, rem_reports, rem_at, tables, latest)
    del rem_reports, rem_at, tables
    if fast is not None:
        checked = fast
    else:
        if not frames:
            return
        cols = ["file", "line", "ruc", "period", "tipo_doc", "num_doc", "concepto", "devengado", "pagado",
                "shape_error", "shape_field", "shape_code", "shape_es"]
        allf = pl.concat([f.select(cols) for f in frames], how="vertical_relaxed")
        del frames
        if run.ambiguous:
            allf = steps._mark_ambiguous(allf, run.ambiguous)
        flags = None
        con = pl.col("concepto")  # (a cheap test of every line first: 1001-1040 are rare)
        if allf.select((con.str.starts_with("10") | con.str.starts_with(" ")).any()).item() and \
                allf.select(con.str.strip_chars().str.contains(r"^10\d\d$").any()).item():
            rucs = allf.get_column("ruc").unique().drop_nulls().to_list()
            flags = run.writer.call(sink.concept_flags, rucs)
        checked = parsers.validate(allf, latest_period=latest, earliest_period=run.earliest, concept_flags=flags)
        del allf
    accepted = steps._fates(checked, info, reps, partial)
    del info
    if not accepted.height:
        return
    held = [checked, accepted]
    del checked, accepted
    steps._write(sink, run, held, reps, params)


def _classify(uow: UnitOfWork, parsers: PayrollParsers, pending: list[FileBatch], run: steps._Run,
              known: set[str], seen_sha: set[str], summary: ImportSummary, partial: bool, today: dt.date
              ) -> tuple[dict[int, FileReport], list[FileReport], list[tuple[int, int, int]],
                         list[tuple[int, SourceFile, FileReport]]]:
    """Each file of the chunk: its report, and whether it reaches the parser (``.rem`` and tables)
    or is recorded at once (T-Registro and the other PLAME files, by the writer in order)."""
    sink = uow.payroll_sink
    reps: dict[int, FileReport] = {}                         # the files that reach the parser, by id
    rem_reports: list[FileReport] = []                       # new .rem files, before their names are checked
    rem_at: list[tuple[int, int, int]] = []                  # (id, batch, file in it) of each
    tables: list[tuple[int, SourceFile, FileReport]] = []
    for bi, batch in enumerate(pending):
        if steps._rem_batch(batch):  # a run of .rem files (read_ahead groups them): reports made in bulk
            first = len(summary.files)
            reports = [FileReport(file=path, kind="rem", status="rejected", sha256=sha)
                       for path, sha in zip(batch.paths, batch.keys, strict=True)]
            summary.files.extend(reports)
            for fi, (report, sha) in enumerate(zip(reports, batch.keys, strict=True)):
                if report.file[-5:-4] in ("", "/", ".") and steps._kind(report.file) != "rem":  # "..rem": no extension
                    report.kind = "unknown"
                    report.issues.append(steps._unknown_kind(report.file))
                    continue
                if sha in known or sha in seen_sha:
                    report.status = "duplicate"
                    continue
                seen_sha.add(sha)
                rem_reports.append(report)
                rem_at.append((first + fi, bi, fi))
            continue
        for fi, (path, sha) in enumerate(zip(batch.paths, batch.keys, strict=True)):  # a file alone
            kind = steps._kind(path)
            report = FileReport(file=path, kind=kind or "unknown", status="rejected", sha256=sha)
            summary.files.append(report)
            file_id = len(summary.files) - 1
            if kind is None and parsers.skipped(path):  # another PLAME/T-Registro file: not needed
                report.kind, report.status = "other", "skipped"
                report.notices.append(LineIssue(path, 0, "file name", "a PLAME/T-Registro file the insurance does "
                                                "not need: skipped", "file_skipped"))
                continue
            if kind is None:
                report.issues.append(steps._unknown_kind(path))
                continue
            if sha in known or sha in seen_sha:
                report.status = "duplicate"
                continue
            seen_sha.add(sha)
            src = SourceFile(name=path, data=batch.file(fi), sha256=sha, kind=kind)
            if kind in ("per", "snl", "jor", "tra"):
                importer = _import_per if kind == "per" else _import_other
                run.writer.call(importer, uow, parsers, src, report, partial, today, run.only_ruc, run)
                if report.status in ("accepted", "partial"):
                    run.writer.submit(sink.record_files, steps._file_row(sha, path, kind, report))
            else:
                tables.append((file_id, src, report))
            del src
    del batch  # the last one: *pending* alone holds the bytes
    return reps, rem_reports, rem_at, tables


def _parse(parsers: PayrollParsers, pending: list[FileBatch], run: steps._Run, reps: dict[int, FileReport],
           rem_reports: list[FileReport], rem_at: list[tuple[int, int, int]],
           tables: list[tuple[int, SourceFile, FileReport]],
           latest: int) -> tuple[list[pl.DataFrame], list[pl.DataFrame], CheckedLines | None]:
    """The chunk's lines: the ``.rem`` files' names checked, their lines read (by the compiled
    fast path when all are plainly good), and the tables read; *pending* is emptied."""
    frames: list[pl.DataFrame] = []
    info: list[pl.DataFrame] = []                            # file, ruc, period, kind, sha256, filename
    fast: CheckedLines | None = None                         # the chunk's lines, when all plainly good
    if rem_reports:
        names = _rem_names(parsers, rem_reports, latest, run.earliest)
        if run.only_ruc is not None:  # an employer's own upload: only files named with its RUC
            for at in names.filter(pl.col("ruc") != run.only_ruc)["at"].to_list():
                rem_reports[at].issues.append(_not_yours(rem_reports[at].file))
            names = names.filter(pl.col("ruc") == run.only_ruc)
        kept = names["at"].to_list()
        ids = [rem_at[k][0] for k in kept]
        reps.update((rem_at[k][0], rem_reports[k]) for k in kept)
        data, ends = steps._joined(pending, [rem_at[k][1:] for k in kept])
        pending.clear()  # the bytes are now in *data* (and in the table SourceFiles)
        info.append(names.select(pl.Series("file", ids, dtype=pl.Int64), "ruc", "period", pl.lit("rem").alias("kind"),
                                 "sha256", "filename"))
        del names, kept
        if ids and not tables and len(data) >= FAST_MIN_BYTES and not run.ambiguous:
            # The common case of a large run: every line plainly good (formats.rem_scan), read in
            # one compiled pass; at the first line that is not (or without numba), the polars path.
            fast = parsers.rem_lines_clean(data, ends, ids, info[-1])
            if fast is not None:
                del data
        if ids and fast is None:
            lines = parsers.rem_lines(data, ends, ids)
            del data
            frames.append(lines.join(info[-1].select("file", "ruc", "period"), on="file", how="left"))
    del rem_reports, rem_at
    pending.clear()  # (no .rem file) the table SourceFiles alone hold their bytes, freed once read
    for i, src, report in tables:
        try:
            frames.append(parsers.read_table(src, i, run.only_ruc))
        except FormatError as exc:
            code = "columns_missing" if exc.field == "header" else "table_unreadable"
            report.issues.append(LineIssue(src.name, 0, exc.field or "file", exc.message, code))
            continue
        finally:
            src.data = b""  # a national CSV is hundreds of MB: not kept next to its frame
        reps[i] = report
        info.append(pl.DataFrame({"file": [i], "ruc": [None], "period": [None], "kind": [src.kind],
                                  "sha256": [src.sha256], "filename": [os.path.basename(src.name)[:255]]},
                                 schema=steps._INFO_SCHEMA))
    del tables
    return frames, info, fast


REM_NAME_PATTERN = "(?i)" + REM_NAME_RE.pattern
"""The PLAME file name (domain.file_names.REM_NAME_RE) for polars' regular expressions."""


def _not_yours(path: str) -> LineIssue:
    return LineIssue(path, 0, "file name", NOT_YOURS, "ruc_not_yours")


def _rem_names(parsers: PayrollParsers, reports: list[FileReport], latest: int, earliest: int = 0) -> pl.DataFrame:
    """The RUC and month in the names of new ``.rem`` files, checked as columns: ``at`` (their
    position in *reports*), ``ruc``, ``period``, ``sha256`` and ``filename`` of those whose name
    is good. Each bad name gets its reason on its report, found the way a single file's is
    (``parsers.rem_name``, then python-stdnum for the RUC)."""
    # A path that is not UTF-8 (a Latin-1 directory name reaches argv as surrogates) is shown with
    # replacement characters here: a good PLAME name is ASCII, and a bad one gets its reason from
    # the single-file check, which sees the path as given.
    paths = [r.file if r.file.isascii() else r.file.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
             for r in reports]
    frame = (pl.DataFrame({"path": paths, "sha256": [r.sha256 for r in reports]},
                          schema={"path": pl.Utf8, "sha256": pl.Utf8})
             .with_row_index("at")
             .with_columns(pl.col("path").str.replace(r"(?s)^.*/", "").alias("filename"))
             .with_columns(pl.col("filename").str.extract_groups(REM_NAME_PATTERN).alias("m"))
             .with_columns(pl.col("m").struct.field("1").cast(pl.Int64, strict=False).alias("year"),
                           pl.col("m").struct.field("2").cast(pl.Int64, strict=False).alias("month"),
                           pl.col("m").struct.field("3").alias("ruc"))
             .with_columns((pl.col("year") * 12 + pl.col("month") - 1).alias("period")))
    named = (pl.col("ruc").str.contains(r"^[0-9]{11}$") & pl.col("month").is_between(1, 12)
             & (pl.col("year") >= 1990) & (pl.col("period") <= latest)
             & (pl.col("period") >= earliest)).fill_null(False)
    frame = frame.with_columns(named.alias("named"))
    good = frame["named"].to_numpy().copy()
    named_at = np.flatnonzero(good)
    valid = ruc_valid_mask(frame["ruc"].gather(named_at).to_list()) if named_at.size else np.zeros(0, dtype=bool)
    good[named_at[~valid]] = False
    read_alone: list[tuple[int, str, int]] = []
    for at in np.flatnonzero(~good).tolist():  # a bad name, or a bad RUC in it: the reason
        parsed = _rem_name(parsers, reports[at], latest, earliest)
        if parsed is not None:  # what the columns could not read but the single check accepts
            good[at] = True
            read_alone.append((at, *parsed))
    if read_alone:
        alone = pl.DataFrame(read_alone, schema={"at": pl.UInt32, "ruc_": pl.Utf8, "period_": pl.Int64},
                             orient="row")
        frame = (frame.join(alone, on="at", how="left", maintain_order="left")
                 .with_columns(pl.coalesce("ruc_", "ruc").alias("ruc"), pl.coalesce("period_", "period").alias("period")))
    return (frame.filter(pl.Series(good))
            .select(pl.col("at").cast(pl.Int64), "ruc", "period", "sha256", pl.col("filename").str.slice(0, 255)))


def _rem_name(parsers: PayrollParsers, report: FileReport, latest: int, earliest: int = 0) -> tuple[str, int] | None:
    """The RUC and month of one ``.rem`` file's name, or None with the reason on its report."""
    path = report.file
    base = os.path.basename(path)
    if steps._kind(base) != "rem":  # a file named just ".rem" (no extension)
        report.kind = "unknown"
        report.issues.append(steps._unknown_kind(path))
        return None
    ruc: str | None = None
    period: int | None = None
    try:
        ruc, period = parsers.rem_name(base)
        if period > latest:
            raise FormatError(f"period {format_period(period)} is in the future", field="file name", where=base)
        if period < earliest:
            raise FormatError(f"period {format_period(period)} is before {format_period(earliest)}, the first "
                              "month the insurance's parameters cover", field="file name", where=base)
    except FormatError as exc:
        code = ("rem_name_invalid" if not REM_NAME_RE.match(base) else
                "name_month_invalid" if period is None else
                "period_future" if period > latest else "period_too_early")
        es = ISSUE_CODES[code] + (f": {format_period(period)}" if code in ("period_future", "period_too_early")
                                  and period is not None else "")
        report.issues.append(LineIssue(path, 0, exc.field or "file", exc.message, code, es))
        return None
    if not ruc_valid_mask([ruc])[0]:
        try:
            parsers.check_file_ruc(ruc, path)
        except FormatError as exc:
            report.issues.append(LineIssue(path, 0, exc.field or "file", exc.message, "ruc_invalid"))
            return None
    return ruc, period


def _import_per(uow: UnitOfWork, parsers: PayrollParsers, src: SourceFile, report: FileReport, partial: bool,
                today: dt.date, only_ruc: str | None = None, run: steps._Run | None = None) -> None:
    """Validate and record the periods of one ``.per`` file inside *uow* (whole file or nothing;
    *only_ruc*: an employer's own upload, refused whole for another RUC). Bajas written without a
    start date are kept in *run* and applied once every file of the import is written."""
    ruc, good, issues, skipped, bajas = parsers.parse_per(src, today=today)
    if ruc is not None and only_ruc is not None and ruc != only_ruc:
        report.issues.append(_not_yours(src.name))
        report.status = "rejected"
        return
    sink = uow.payroll_sink
    employer = uow.employers.by_ruc(ruc) if ruc is not None else None
    # The issuing country of a 07/24 document is part of who the worker is (Estructura 11, field 3;
    # decision 0411): the same number from another country is another worker.
    report.issues.extend(issues)
    line_issues = [i for i in issues if i.line]
    report.lines = len(good) + len(bajas) + len(line_issues) + skipped
    report.rejected_lines = len(line_issues)
    if ruc is None or (issues and not partial) or (issues and not good and not bajas):
        report.status = "rejected"
        return
    employer = employer or uow.employers.upsert(Employer(ruc=ruc))
    assert employer.id is not None
    if run is not None:
        run.touched.add(employer.id)
    for p in good:
        worker = steps._worker_of(uow, run, p.doc_type, p.doc_number, p.country)
        assert worker.id is not None
        sink.keep_country(worker.id, p.country)
        uow.periods.upsert(EmploymentPeriod(employer_id=employer.id, worker_id=worker.id, start_date=p.start,
                                            end_date=p.end, termination_cause=p.cause))
    for b in bajas:
        worker = steps._worker_of(uow, run, b.doc_type, b.doc_number, b.country)
        assert worker.id is not None
        sink.keep_country(worker.id, b.country)
        if run is not None:
            run.bajas.append((report, b.line, employer.id, worker.id, b.end, b.cause))
    report.periods = len(good)
    report.accepted_lines = len(good) + len(bajas) + skipped
    report.status = "partial" if issues else "accepted"


def _import_other(uow: UnitOfWork, parsers: PayrollParsers, src: SourceFile, report: FileReport, partial: bool,
                  today: dt.date, only_ruc: str | None = None, run: steps._Run | None = None) -> None:
    """Record a ``.snl`` (subsidised and other non-worked days), ``.jor`` (hours worked) or
    ``.tra`` (contract type) file inside *uow*: whole file or nothing, as a ``.per``. A ``.snl``
    or ``.jor`` is the employer's whole month: it replaces what an earlier one said of it."""
    sink = uow.payroll_sink
    if src.kind == "tra":
        ruc, contracts, issues = parsers.parse_tra(src)
        period = None
        n_good = len(contracts)
    else:
        parsed = (parsers.parse_snl if src.kind == "snl" else parsers.parse_jor)(
            src, latest_period=period_of(today), earliest_period=run.earliest if run is not None else 0)
        ruc, period, issues = parsed.ruc, parsed.period, parsed.issues
        n_good = len(parsed.rows)
    if ruc is not None and only_ruc is not None and ruc != only_ruc:
        report.issues.append(_not_yours(src.name))
        report.status = "rejected"
        return
    if src.kind != "tra":  # no country field: a 07/24 number two countries hold is ambiguous (decision 0411)
        unclear = {no for no, t, n, *_ in parsed.rows if t in FOREIGN_DOCUMENTS
                   and (t + n in (run.ambiguous if run is not None else set())
                        or len(uow.workers._candidates(t, n, None)) > 1)}
        if unclear:
            issues = [*issues, *(LineIssue(src.name, no, "num_doc", steps.AMBIGUOUS_REASON, "document_ambiguous")
                                 for no in sorted(unclear))]
            parsed.rows[:] = [r for r in parsed.rows if r[0] not in unclear]
            n_good = len(parsed.rows)
    report.issues.extend(issues)
    line_issues = [i for i in issues if i.line]
    report.lines = n_good + len(line_issues)
    report.rejected_lines = len(line_issues)
    if ruc is None or (issues and not partial) or (issues and not n_good):
        report.status = "rejected"
        return
    employer = uow.employers.by_ruc(ruc) or uow.employers.upsert(Employer(ruc=ruc))
    assert employer.id is not None
    if run is not None:
        run.touched.add(employer.id)

    def worker_id(doc_type: str, number: str) -> int:
        w = uow.workers.upsert(Worker(doc_type=doc_type, doc_number=number))
        assert w.id is not None
        return w.id

    if src.kind == "tra":
        for line in contracts:
            tra_worker = steps._worker_of(uow, run, line.doc_type, line.doc_number, line.country)
            assert tra_worker.id is not None
            wid = tra_worker.id
            sink.keep_country(wid, line.country)
            # the contract of the day, and the open period's own contract type (T-Registro), when there is one
            sink.record_contract(employer.id, wid, line.contract_type, today)
    else:
        assert period is not None
        if src.kind == "snl":
            rows = [{"employer_id": employer.id, "worker_id": worker_id(t, n), "period": period,
                     "suspension_type": str(k), "days": d} for _, t, n, k, d in parsed.rows]
            sink.replace_month("snl", employer.id, period, rows)
        else:
            rows = [{"employer_id": employer.id, "worker_id": worker_id(t, n), "period": period,
                     "ordinary_minutes": int(o), "overtime_minutes": v} for _, t, n, o, v in parsed.rows]
            sink.replace_month("jor", employer.id, period, rows)
    report.accepted_lines = n_good
    report.status = "partial" if issues else "accepted"


def register_concept_flag(uow: UnitOfWork, ruc: str, concept: str, essalud: bool) -> str:
    """The employer's EsSalud affectation for one of its "otros conceptos" (Tabla 22, 1001–1040:
    "SI/NO", set by the employer in PLAME). Returns the concept's 4-digit code."""
    from seguro_desempleo.domain.registry import validate_ruc
    from seguro_desempleo.errors import InputError

    ruc = validate_ruc(ruc, field="--ruc")
    code = concept.strip()
    if code.isdigit() and len(code) < 4:
        code = code.zfill(4)
    if code not in EMPLOYER_FLAGGED_CONCEPTS:
        raise InputError("the EsSalud flag is registered for concepts 1001-1040 (Tabla 22, 'otros conceptos')",
                         field="--concept")
    employer = uow.employers.by_ruc(ruc) or uow.employers.upsert(Employer(ruc=ruc))
    assert employer.id is not None
    uow.payroll_sink.set_concept_flag(employer.id, code, essalud)
    return code


LARGE_RUN_FILES = 5000
"""From this many files on (or one large table file), an import loads the whole registry's keys
once instead of looking its workers up chunk by chunk (:func:`_preload_keys`)."""


def _large_run(names: list[str]) -> bool:
    if len(names) >= LARGE_RUN_FILES:
        return True
    with contextlib.suppress(OSError):  # an unreadable file is reported when its turn comes
        return any(os.path.getsize(n) >= CHUNK_BYTES for n in names if not n.lower().endswith(".rem"))
    return False


