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
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import gc
import logging
import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from seguro_desempleo.domain import dates
from seguro_desempleo.domain.file_names import REM_NAME_RE
from seguro_desempleo.domain.ledger import Accounts, signed_line
from seguro_desempleo.domain.payroll import ISSUE_CODES, FileReport, ImportSummary, LineIssue
from seguro_desempleo.domain.registry import (
    FOREIGN_DOCUMENTS,
    Employer,
    EmploymentPeriod,
    Worker,
    ruc_valid_mask,
)
from seguro_desempleo.errors import FormatError
from seguro_desempleo.formats import payroll_csv, plame, plame_other, rem_scan, tregistro
from seguro_desempleo.formats.payroll_lines import Checked, validate_in_slices
from seguro_desempleo.parameters import ParameterSet, default_parameters
from seguro_desempleo.periods import format_period, period_of
from seguro_desempleo.rules.financing import first_month, monthly_amounts
from seguro_desempleo.services import ledger
from seguro_desempleo.services.payroll_read import KINDS, FileBatch, read_ahead
from seguro_desempleo.storage.uow import SqlUnitOfWork

log = logging.getLogger(__name__)

CHUNK_BYTES = 24 * 1024 * 1024
"""Files are parsed and staged in chunks of about this size: memory stays flat for a national month."""

FAST_MIN_BYTES = 1024 * 1024
"""From this many bytes of ``.rem`` files in a chunk on, their lines are first read by the
compiled fast path (:mod:`seguro_desempleo.formats.rem_scan`); smaller chunks (a web upload) go
straight to the polars path, which needs no compiled code loaded."""

Progress = Callable[[int, int], None]


@dataclass
class _Run:
    writer: _Writer
    bulk: dict[str, list[str]] = field(default_factory=dict)          # tables loaded first: _start_bulk
    known: dict[str, pl.DataFrame] = field(default_factory=dict)      # registry table → (key, id) of every row
    declared: pl.DataFrame | None = None                              # first load: (employer_id, period) written
    mine: set[str] = field(default_factory=set)                       # registry tables holding only our rows
    first_sha: str | None = None                                      # names the ledger entry
    units: int = 0                                                    # declarations written
    employer_delta: int = 0                                           # receivable change, employer part
    cts_delta: int = 0                                                # receivable change, CTS part
    superseded: dict[str, int] = field(default_factory=dict)         # identity key → declarations replaced
    next_id: dict[str, int] = field(default_factory=dict)             # table in run.mine → its next free id
    only_ruc: str | None = None                                       # an employer's own upload: its RUC
    earliest: int = 0                                                 # the first month with parameters
    insurance_start: dt.date | None = None                            # domain.dates.insurance_start
    rectified: list[pl.DataFrame] = field(default_factory=list)       # (employer_id, period) superseded
    bajas: list[tuple[FileReport, int, int, int, dt.date, str]] = field(default_factory=list)
    ambiguous: set[str] = field(default_factory=set)                  # 07/24 numbers two countries hold
    touched: set[int] = field(default_factory=set)                    # employers of the .per/.tra/.snl/.jor written
    declarations_before: int = 0                                      # max(declaration.id) when the import began
    # T-Registro bajas without a start (report, line, employer_id, worker_id, end, cause): resolved
    # once every file of the import is written (_resolve_terminations)


class _Writer:
    """The import's database work, in order: inline, or (an import that owns its transaction, on
    PostgreSQL or a SQLite file: :func:`_shareable`) on one thread, so that the database writes
    chunk *k* while chunk *k + 1* is parsed. (SQLite too: its inserts run with the GIL released,
    and the parse spends much of its time in polars, which releases it as well: 42.7-46.0 s →
    36.9-39.0 s for the national month.)

    At most two chunks are in its hands at once (one being written, one waiting); a failure is
    raised in the caller at the next :meth:`submit`, :meth:`call` or :meth:`sync`. Work that needs
    an answer (:meth:`call`) runs in the caller's thread once the writer is idle.
    """

    def __init__(self, threaded: bool) -> None:
        self.threaded = threaded
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="payroll-write") if threaded else None
        self._pending: deque[Future[None]] = deque()
        self._failed = False

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        if self._pool is None:
            fn(*args)
            return
        while self._pending and (len(self._pending) >= 2 or self._pending[0].done()):
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(self._guarded, fn, *args))

    def _guarded(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run *fn* unless earlier work failed: after a failure nothing more is written (the
        transaction may still be usable — the failure need not have come from the database)."""
        if self._failed:
            return
        try:
            fn(*args)
        except BaseException:
            self._failed = True
            raise

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        self.sync()
        return fn(*args)

    def sync(self) -> None:
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> None:
        """Stop: the work not started is dropped, the work running is waited for (the caller then
        rolls the transaction back, or commits after :meth:`sync`)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def import_files(paths: Sequence[str | Path], *, uow: SqlUnitOfWork | None = None, db: str | None = None,
                 params: ParameterSet | None = None, partial: bool = False, today: dt.date | None = None,
                 progress: Progress | None = None, employer_ruc: str | None = None) -> ImportSummary:
    """Import *paths* in one transaction and return what happened to each file.

    Pass an open ``uow`` to import inside it (the caller commits), or ``db`` (URL) to let this
    function open, commit and close its own. *employer_ruc*: the files are that employer's own
    upload (the API, the employer's web page); a file or line for any other RUC is rejected
    (``ruc_not_yours``): an employer declares only its own payroll.
    """
    params = params or default_parameters()
    today = today or dt.date.today()
    # The import makes millions of short-lived objects in bulk and keeps few: the cyclic garbage
    # collector would rescan the large live frames and lists again and again (no cycles are made).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        # A concurrent import's refusal by the driver is one ConflictError (storage.payroll_sink.conflicts).
        if uow is None:
            own = SqlUnitOfWork(db)
            with own.payroll_conflicts(), own:  # its own transaction: the writes may run on a thread
                summary = _import(own, paths, params, partial, today, progress, threaded=True,
                                  employer_ruc=employer_ruc)
                own.commit()
                return summary
        with uow.payroll_conflicts():
            return _import(uow, paths, params, partial, today, progress, employer_ruc=employer_ruc)
    finally:
        if gc_was_enabled:
            gc.enable()


def _import(uow: SqlUnitOfWork, paths: Sequence[str | Path], params: ParameterSet, partial: bool,
            today: dt.date, progress: Progress | None, *, threaded: bool = False,
            employer_ruc: str | None = None) -> ImportSummary:
    from seguro_desempleo.services.governance import parameters_for  # baseline + instruments (issue 28)

    params = parameters_for(uow, params)
    summary = ImportSummary(started_at=dt.datetime.now(dt.UTC).replace(tzinfo=None))
    sink = uow.payroll_sink
    sink.prepare()
    run = _Run(writer=_Writer(threaded and sink.shareable()), only_ruc=employer_ruc,
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
            _chunk(uow, sink, pending, run, seen_sha, summary, params, partial, today)
            done += n
            if progress:
                progress(done, total)
            pending, size = [], 0

        for batch in read_ahead(names):
            rest: FileBatch | None = batch
            del batch  # held by *pending* only (freed as soon as the chunk has split it)
            while rest is not None:
                # A batch that would pass the chunk's size is cut after the file that reaches it.
                head, rest = _cut(rest, CHUNK_BYTES - size)
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
        d_emp, d_cts = run.employer_delta, run.cts_delta
        ledger.post(uow, "payroll.declared", [
            signed_line(Accounts.RECEIVABLE_EMPLOYER, d_emp), signed_line(Accounts.RECEIVABLE_CTS, d_cts),
            signed_line(Accounts.CONTRIBUTION_INCOME_EMPLOYER, d_emp),
            signed_line(Accounts.CONTRIBUTION_INCOME_CTS, d_cts)],
            ref=f"import:{(run.first_sha or '')[:16]}+{run.units - 1}", at=today)
    if run.rectified:
        # A rectification is retroactive: the months it replaced have their payments applied to
        # the new dues (an overpayment moves to aportes por aplicar, money there is applied to a
        # rise), so a month paid in full leaves its receivables at exactly zero.
        from seguro_desempleo.services.employer_payments import reconcile_months

        reconcile_months(uow, pl.concat(run.rectified).unique().iter_rows(), at=today, params=params)
    sink.end_bulk(run.bulk)
    _resolve_terminations(uow, run, summary, today)
    if run.only_ruc is not None:  # an employer's own upload (API, web): decision 0413
        _flag_first_declarations(uow, run, summary, params, today)
    return summary


def _chunk(uow: SqlUnitOfWork, sink: Any, pending: list[FileBatch], run: _Run,
           seen_sha: set[str], summary: ImportSummary, params: ParameterSet, partial: bool,
           today: dt.date) -> None:
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
    reps: dict[int, FileReport] = {}                         # the files that reach the parser, by id
    rem_reports: list[FileReport] = []                       # new .rem files, before their names are checked
    rem_at: list[tuple[int, int, int]] = []                  # (id, batch, file in it) of each
    tables: list[tuple[int, plame.SourceFile, FileReport]] = []
    for bi, batch in enumerate(pending):
        if _rem_batch(batch):  # a run of .rem files (read_ahead groups them): reports made in bulk
            first = len(summary.files)
            reports = [FileReport(file=path, kind="rem", status="rejected", sha256=sha)
                       for path, sha in zip(batch.paths, batch.keys, strict=True)]
            summary.files.extend(reports)
            for fi, (report, sha) in enumerate(zip(reports, batch.keys, strict=True)):
                if report.file[-5:-4] in ("", "/", ".") and _kind(report.file) != "rem":  # "..rem": no extension
                    report.kind = "unknown"
                    report.issues.append(_unknown_kind(report.file))
                    continue
                if sha in known or sha in seen_sha:
                    report.status = "duplicate"
                    continue
                seen_sha.add(sha)
                rem_reports.append(report)
                rem_at.append((first + fi, bi, fi))
            continue
        for fi, (path, sha) in enumerate(zip(batch.paths, batch.keys, strict=True)):  # a file alone
            kind = _kind(path)
            report = FileReport(file=path, kind=kind or "unknown", status="rejected", sha256=sha)
            summary.files.append(report)
            file_id = len(summary.files) - 1
            if kind is None and plame_other.skipped(path):  # another PLAME/T-Registro file: not needed
                report.kind, report.status = "other", "skipped"
                report.notices.append(LineIssue(path, 0, "file name", "a PLAME/T-Registro file the insurance does "
                                                "not need: skipped", "file_skipped"))
                continue
            if kind is None:
                report.issues.append(_unknown_kind(path))
                continue
            if sha in known or sha in seen_sha:
                report.status = "duplicate"
                continue
            seen_sha.add(sha)
            src = plame.SourceFile(name=path, data=batch.file(fi), sha256=sha, kind=kind)
            if kind in ("per", "snl", "jor", "tra"):
                importer = _import_per if kind == "per" else _import_other
                run.writer.call(importer, uow, src, report, partial, today, run.only_ruc, run)
                if report.status in ("accepted", "partial"):
                    run.writer.submit(sink.record_files, _file_row(sha, path, kind, report))
            else:
                tables.append((file_id, src, report))
            del src
    del batch  # the last one: *pending* alone holds the bytes
    frames: list[pl.DataFrame] = []
    info: list[pl.DataFrame] = []                            # file, ruc, period, kind, sha256, filename
    fast: Checked | None = None                              # the chunk's lines, when all plainly good
    if rem_reports:
        names = _rem_names(rem_reports, latest, run.earliest)
        if run.only_ruc is not None:  # an employer's own upload: only files named with its RUC
            for at in names.filter(pl.col("ruc") != run.only_ruc)["at"].to_list():
                rem_reports[at].issues.append(_not_yours(rem_reports[at].file))
            names = names.filter(pl.col("ruc") == run.only_ruc)
        kept = names["at"].to_list()
        ids = [rem_at[k][0] for k in kept]
        reps.update((rem_at[k][0], rem_reports[k]) for k in kept)
        data, ends = _joined(pending, [rem_at[k][1:] for k in kept])
        pending.clear()  # the bytes are now in *data* (and in the table SourceFiles)
        info.append(names.select(pl.Series("file", ids, dtype=pl.Int64), "ruc", "period", pl.lit("rem").alias("kind"),
                                 "sha256", "filename"))
        del names, kept
        if ids and not tables and len(data) >= FAST_MIN_BYTES and rem_scan.HAVE_NUMBA and not run.ambiguous:
            # The common case of a large run: every line plainly good (rem_scan), read in one
            # compiled pass; at the first line that is not, the polars path below.
            blob, stops = plame.normalised(data, np.asarray(ends, dtype=np.int64))
            scan = rem_scan.scan_clean(blob, stops)
            del blob
            if scan is not None:
                fast = rem_scan.checked_from_scan(scan, np.asarray(ids, dtype=np.int64), info[-1])
                del scan, data
        if ids and fast is None:
            lines = plame.split_lines(data, ends, ids, 5, plame.FIELDS)
            del data
            frames.append(lines.join(info[-1].select("file", "ruc", "period"), on="file", how="left"))
    del rem_reports, rem_at
    pending.clear()  # (no .rem file) the table SourceFiles alone hold their bytes, freed once read
    for i, src, report in tables:
        try:
            frames.append(payroll_csv.read_table(src, i, run.only_ruc))
        except FormatError as exc:
            code = "columns_missing" if exc.field == "header" else "table_unreadable"
            report.issues.append(LineIssue(src.name, 0, exc.field or "file", exc.message, code))
            continue
        finally:
            src.data = b""  # a national CSV is hundreds of MB: not kept next to its frame
        reps[i] = report
        info.append(pl.DataFrame({"file": [i], "ruc": [None], "period": [None], "kind": [src.kind],
                                  "sha256": [src.sha256], "filename": [os.path.basename(src.name)[:255]]},
                                 schema=_INFO_SCHEMA))
    del tables
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
            allf = _mark_ambiguous(allf, run.ambiguous)
        flags = None
        con = pl.col("concepto")  # (a cheap test of every line first: 1001-1040 are rare)
        if allf.select((con.str.starts_with("10") | con.str.starts_with(" ")).any()).item() and \
                allf.select(con.str.strip_chars().str.contains(r"^10\d\d$").any()).item():
            rucs = allf.get_column("ruc").unique().drop_nulls().to_list()
            flags = run.writer.call(sink.concept_flags, rucs)
        checked = validate_in_slices(allf, latest_period=latest, earliest_period=run.earliest, concept_flags=flags)
        del allf
    bad = checked.bad
    if bad.height:
        for f, line, fld, why, code, es in bad.select("file", "line", "field", "reason", "code",
                                                      "reason_es").iter_rows():
            report = reps[int(f)]
            if len(report.issues) < 10_000:
                report.issues.append(LineIssue(report.file, int(line), str(fld), str(why), str(code), str(es)))
    if checked.notices.height:
        for f, line, fld, why, code, es in checked.notices.sort("file", "line").iter_rows():
            report = reps[int(f)]
            if len(report.notices) < 10_000:
                report.notices.append(LineIssue(report.file, int(line), str(fld), str(why), str(code), str(es)))
    # Each file's fate from its line counts: rejected when a line is bad (unless partial and
    # some are good), partial or accepted otherwise.
    nbad, n = pl.col("bad"), pl.col("n")
    rejected = (nbad > 0) & (pl.lit(not partial) | (nbad == n))
    fates = (pl.concat(info).join(checked.stats, on="file", how="left")
             .with_columns(pl.col("n", "bad").fill_null(0).cast(pl.Int64))
             .with_columns(pl.when(rejected).then(pl.lit("rejected")).when(nbad > 0).then(pl.lit("partial"))
                           .otherwise(pl.lit("accepted")).alias("status"),
                           pl.when(rejected).then(0).otherwise(n - nbad).alias("accepted_lines"))
             .sort("file"))
    del info
    for f, lines_n, bad_n, status, accepted_n in fates.select("file", "n", "bad", "status",
                                                             "accepted_lines").iter_rows():
        report = reps[f]
        report.lines, report.rejected_lines, report.status, report.accepted_lines = lines_n, bad_n, status, accepted_n
    accepted = fates.filter(pl.col("status") != "rejected")
    del fates
    if not accepted.height:
        return
    months = checked.months.join(accepted.select("file"), on="file", how="semi")
    # Art. 3 by month (issue 26, item 1): read in this thread once the writer is idle.
    charged = (run.writer.call(sink.months_charged, months["ruc"].to_list(), months["period"].to_list(),
                               params) if months.height else None)
    months = _with_contributions(months, params, charged)
    del checked, bad
    # Declaration units: every accepted .rem file is one (even with no lines: a nil declaration);
    # a CSV file gives one per (ruc, month) it contains. A later unit of the same employer-month
    # in this chunk has the next round (it supersedes the earlier one); one in a later chunk
    # finds the earlier one written (see _write_chunk). Built as frames: 300,000 files a month.
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rem_files = accepted.filter(pl.col("kind") == "rem")
    parts = [rem_files.select("file", "ruc", "period")]
    if rem_files.height < accepted.height:
        parts.append(months.join(rem_files.select("file"), on="file", how="anti").select("file", "ruc", "period")
                     .unique())
    shas = accepted.select("file", "sha256")
    units = (pl.concat(parts).sort("file", "ruc", "period")
             .with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("unit"))
             .with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over(["ruc", "period"]).alias("round"))
             .join(shas, on="file", how="left"))
    files = accepted.select("sha256", "filename", "kind", "status", pl.col("n").alias("lines"), "accepted_lines",
                            pl.col("bad").alias("rejected_lines"), pl.lit(now).alias("imported_at")).cast(pl.Schema(FILE_SCHEMA))
    stage = (months.join(units.select("file", "ruc", "period", "unit"), on=["file", "ruc", "period"], how="inner")
             .select("unit", "tipo_doc", "num_doc", "insurable_pay", "base", "contribution", "employer_part",
                     "cts_part"))
    per_file = (units.group_by("file").len("declarations")
                .join(months.group_by("file").agg(pl.len().alias("n"), pl.col("contribution").sum().alias("due")),
                      on="file", how="full", coalesce=True)
                .with_columns(pl.col("declarations", "n", "due").fill_null(0).cast(pl.Int64)))
    for f, declarations, n_months, due in per_file.select("file", "declarations", "n", "due").iter_rows():
        report = reps[f]
        report.declarations += declarations
        report.contributions, report.contribution_due = n_months, due
    del per_file
    unit_sums = stage.group_by("unit").agg(
        pl.len().alias("workers"), pl.col("contribution").sum().alias("total_due"),
        pl.col("employer_part").sum().alias("employer_due"), pl.col("cts_part").sum().alias("cts_due"))
    # The worker's document as one key (see _resolve), not two text columns.
    contrib = stage.select("unit", (pl.col("tipo_doc") + pl.col("num_doc")).alias("key"), "insurable_pay",
                           "contribution", "employer_part")
    if run.first_sha is None and units.height:  # a header-only CSV is accepted with no declaration
        run.first_sha = str(units["sha256"][0])
    run.units += units.height
    # The chunk's frames go now, not when this function returns: the writer thread is about to
    # build its own (a national CSV is one chunk of 5 million lines).
    del months, stage, shas, accepted, rem_files, parts
    new_workers = None
    if "worker" in run.next_id and contrib.height:  # the registry known whole: ids found here, not by the writer
        worker_ids, new_workers = sink.resolve_in_memory(run, "worker", ("doc_type", "doc_number"), contrib.select("key"))
        contrib = contrib.with_columns(worker_ids.alias("worker_id")).drop("key")
        del worker_ids
    run.writer.submit(sink.write_chunk, run, files, units.drop("file"), unit_sums, contrib, new_workers)


def _mark_ambiguous(lines: pl.DataFrame, ambiguous: set[str]) -> pl.DataFrame:
    """PLAME/CSV lines (no country field) of a 07/24 number two issuing countries hold: refused
    on ``num_doc`` (decision 0411) — the line cannot say which of the two workers it pays."""
    doc = pl.col("tipo_doc").str.strip_chars()
    key = (pl.when(doc.str.len_chars() == 1).then(pl.lit("0") + doc).otherwise(doc)
           + pl.col("num_doc").str.strip_chars().str.to_uppercase())
    hit = key.is_in(sorted(ambiguous)).fill_null(False) & pl.col("shape_error").is_null()
    return lines.with_columns(
        pl.when(hit).then(pl.lit(AMBIGUOUS_REASON)).otherwise(pl.col("shape_error")).alias("shape_error"),
        pl.when(hit).then(pl.lit("num_doc")).otherwise(pl.col("shape_field")).alias("shape_field"),
        pl.when(hit).then(pl.lit("document_ambiguous")).otherwise(pl.col("shape_code")).alias("shape_code"),
        pl.when(hit).then(pl.lit(ISSUE_CODES["document_ambiguous"])).otherwise(pl.col("shape_es")).alias("shape_es"))


_INFO_SCHEMA: dict[str, Any] = {"file": pl.Int64, "ruc": pl.Utf8, "period": pl.Int64, "kind": pl.Utf8,
                                "sha256": pl.Utf8, "filename": pl.Utf8}


def _rem_batch(batch: FileBatch) -> bool:
    """A batch of ``.rem`` files (read_ahead puts every other file in a batch of its own)."""
    return len(batch.paths) > 1 or (bool(batch.paths) and batch.paths[0].lower().endswith(".rem"))


def _cut(batch: FileBatch, room: int) -> tuple[FileBatch, FileBatch | None]:
    """*batch* whole when its bytes fit in *room* (or it is one file), else its files up to the
    one that fills *room* and the rest."""
    if len(batch.data) <= room or len(batch.paths) == 1:
        return batch, None
    n = bisect.bisect_left(batch.ends, room) + 1
    return batch.split(n) if n < len(batch.paths) else (batch, None)


def _kind(path: str) -> str | None:
    return KINDS.get(os.path.splitext(os.path.basename(path))[1].lower())


def _unknown_kind(path: str) -> LineIssue:
    return LineIssue(path, 0, "file name", "unknown file type (expected .rem, .per, .snl, .jor, .tra, .csv or "
                     ".parquet)", "file_type_unknown")


REM_NAME_PATTERN = "(?i)" + REM_NAME_RE.pattern
"""The PLAME file name (domain.file_names.REM_NAME_RE) for polars' regular expressions."""


def _not_yours(path: str) -> LineIssue:
    return LineIssue(path, 0, "file name", payroll_csv.NOT_YOURS, "ruc_not_yours")


def _rem_names(reports: list[FileReport], latest: int, earliest: int = 0) -> pl.DataFrame:
    """The RUC and month in the names of new ``.rem`` files, checked as columns: ``at`` (their
    position in *reports*), ``ruc``, ``period``, ``sha256`` and ``filename`` of those whose name
    is good. Each bad name gets its reason on its report, found the way a single file's is
    (plame.parse_rem_name, then python-stdnum for the RUC)."""
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
        parsed = _rem_name(reports[at], latest, earliest)
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


def _rem_name(report: FileReport, latest: int, earliest: int = 0) -> tuple[str, int] | None:
    """The RUC and month of one ``.rem`` file's name, or None with the reason on its report."""
    path = report.file
    base = os.path.basename(path)
    if _kind(base) != "rem":  # a file named just ".rem" (no extension)
        report.kind = "unknown"
        report.issues.append(_unknown_kind(path))
        return None
    ruc: str | None = None
    period: int | None = None
    try:
        ruc, period = plame.parse_rem_name(base, check_ruc=False)
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
            plame.check_file_ruc(ruc, path)
        except FormatError as exc:
            report.issues.append(LineIssue(path, 0, exc.field or "file", exc.message, "ruc_invalid"))
            return None
    return ruc, period


def _joined(pending: list[FileBatch], at: list[tuple[int, int]]) -> tuple[bytes, list[int]]:
    """The bytes of the files at *at* ((batch, file) pairs, in order) in one buffer, with the
    offset where each ends: a batch whose files are all wanted is taken whole."""
    wanted: dict[int, list[int]] = {}
    for bi, fi in at:
        wanted.setdefault(bi, []).append(fi)
    parts: list[bytes] = []
    ends: list[int] = []
    offset = 0
    for bi, fis in wanted.items():
        batch = pending[bi]
        if len(fis) == len(batch.paths):
            parts.append(batch.data)
            ends.extend(offset + e for e in batch.ends)
            offset += len(batch.data)
            continue
        for fi in fis:
            data = batch.file(fi)
            parts.append(data)
            offset += len(data)
            ends.append(offset)
    return b"".join(parts), ends


def _with_contributions(months: pl.DataFrame, params: ParameterSet, charged: Any = None) -> pl.DataFrame:
    """Add the RMV-floored base and the art. 8 contribution split, month by month of the law;
    nothing where *charged* is False (an employer-month outside the phase in force: art. 3, issue
    26 item 1)."""
    amounts = monthly_amounts(months["insurable_pay"].to_numpy(), months["period"].to_numpy(), params, charged)
    return months.with_columns(pl.Series("base", amounts.base), pl.Series("contribution", amounts.total),
                               pl.Series("employer_part", amounts.employer), pl.Series("cts_part", amounts.cts))


def _import_per(uow: SqlUnitOfWork, src: plame.SourceFile, report: FileReport, partial: bool,
                today: dt.date, only_ruc: str | None = None, run: _Run | None = None) -> None:
    """Validate and record the periods of one ``.per`` file inside *uow* (whole file or nothing;
    *only_ruc*: an employer's own upload, refused whole for another RUC). Bajas written without a
    start date are kept in *run* and applied once every file of the import is written."""
    ruc, good, issues, skipped, bajas = tregistro.parse_per(src, today=today)
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
        worker = _worker_of(uow, run, p.doc_type, p.doc_number, p.country)
        assert worker.id is not None
        sink.keep_country(worker.id, p.country)
        uow.periods.upsert(EmploymentPeriod(employer_id=employer.id, worker_id=worker.id, start_date=p.start,
                                            end_date=p.end, termination_cause=p.cause))
    for b in bajas:
        worker = _worker_of(uow, run, b.doc_type, b.doc_number, b.country)
        assert worker.id is not None
        sink.keep_country(worker.id, b.country)
        if run is not None:
            run.bajas.append((report, b.line, employer.id, worker.id, b.end, b.cause))
    report.periods = len(good)
    report.accepted_lines = len(good) + len(bajas) + skipped
    report.status = "partial" if issues else "accepted"


def _worker_of(uow: SqlUnitOfWork, run: _Run | None, doc_type: str, number: str, country: str | None) -> Worker:
    """The worker of a T-Registro line (with its issuing country when the document is 07/24); a
    number two countries now hold is ambiguous for the PLAME lines of the rest of the import."""
    worker = uow.workers.upsert(Worker(doc_type=doc_type, doc_number=number, doc_country=country))
    if (run is not None and country is not None and doc_type in FOREIGN_DOCUMENTS
            and len(uow.workers._candidates(doc_type, number, None)) > 1):
        run.ambiguous.add(doc_type + number)
    return worker


AMBIGUOUS_REASON = ("the document number is registered with two issuing countries and a PLAME line has no "
                    "country field: declare the worker's T-Registro period (.per, with país) and send the line "
                    "under that registration")


def _import_other(uow: SqlUnitOfWork, src: plame.SourceFile, report: FileReport, partial: bool,
                  today: dt.date, only_ruc: str | None = None, run: _Run | None = None) -> None:
    """Record a ``.snl`` (subsidised and other non-worked days), ``.jor`` (hours worked) or
    ``.tra`` (contract type) file inside *uow*: whole file or nothing, as a ``.per``. A ``.snl``
    or ``.jor`` is the employer's whole month: it replaces what an earlier one said of it."""
    sink = uow.payroll_sink
    if src.kind == "tra":
        ruc, contracts, issues = plame_other.parse_tra(src)
        period = None
        n_good = len(contracts)
    else:
        parsed = (plame_other.parse_snl if src.kind == "snl" else plame_other.parse_jor)(
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
            issues = [*issues, *(LineIssue(src.name, no, "num_doc", AMBIGUOUS_REASON, "document_ambiguous")
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
            tra_worker = _worker_of(uow, run, line.doc_type, line.doc_number, line.country)
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


def _resolve_terminations(uow: SqlUnitOfWork, run: _Run, summary: ImportSummary, today: dt.date) -> None:
    """Apply the import's bajas written without a start date, and retry the ones kept pending.

    A baja closes the worker's open period with that employer (the latest one started on or
    before its end date). Without one, it opens a period from the first month of the unbroken
    run of months with pay (the employer's declarations in force) that ends at or before the
    baja's month, and closes it. Without either, it is kept in ``pending_termination`` — reported
    on the file, never dropped — and retried by the later imports of that employer (only its own
    files can bring the period or the pay) for ``PENDING_TERMINATION_MONTHS`` months (``storage.intake``); then
    it expires (decision 0412): notice ``termination_expired`` on that employer's file, status
    ``expired`` for staff.
    """
    sink = uow.payroll_sink
    waiting = sink.pending_waiting()
    if not run.bajas and not waiting:
        return
    if waiting:
        touched = set(run.touched) | sink.employers_declared_after(run.declarations_before)
        pending = sink.pending_of(touched) if touched else []
        for rid, employer_id, worker_id, end, cause in pending:
            if _close_or_open(uow, employer_id, worker_id, end, cause) is not None:
                sink.drop_pending(rid)
    for report, line, employer_id, worker_id, end, cause in run.bajas:
        how = _close_or_open(uow, employer_id, worker_id, end, cause)
        if how is None:
            sink.keep_pending(employer_id, worker_id, end, cause, today)
            how = "termination_pending"
            why = ("baja with no period and no pay known for this worker with this employer: kept pending, "
                   f"applied when a file of the next {sink.PENDING_TERMINATION_MONTHS} months brings the period "
                   "or the pay")
        elif how == "termination_closed":
            why = "baja: closes the worker's open period with this employer"
        else:
            why = "baja: opens the worker's period from the first month of pay in a row and closes it"
        report.notices.append(LineIssue(report.file, line, "fecha_fin", why, how))
        if how != "termination_pending":
            report.periods += 1
    if waiting:
        _expire_terminations(sink, summary, today)


def _flag_first_declarations(uow: SqlUnitOfWork, run: _Run, summary: ImportSummary, params: ParameterSet,
                             today: dt.date) -> None:
    """The plausibility flags that need each month's provenance (issue 25, decision 0413), on an
    employer's own upload: for a worker never seen before, months declared long after they were
    due, and a first declaration that alone makes the worker qualify (art. 7: 12 of 24). They
    join the review queue (``declaration_review``, source ``import``) and do not count until staff
    accept them; the file that brought them says so (notice ``months_flagged``). The CLI's and
    caseworkers' imports (the SUNAT feed, a first migration of the history) are the
    institution's own and are not flagged."""
    try:
        snap = params.at(today)
        needed = int(snap["requirements.qualifying_contributions"])
        window = int(snap["requirements.qualifying_window_months"])
    except (KeyError, LookupError):
        needed, window = 12, 24
    sink = uow.payroll_sink
    flags = sink.new_months_flags(run.declarations_before, today, needed=needed, window=window)
    if not flags:
        return
    sink.enqueue_flags(flags, at=dt.datetime.now(dt.UTC).isoformat())
    by_file: dict[str | None, list[Any]] = {}
    for f in flags:
        by_file.setdefault(f.sha256, []).append(f)
    for sha, mine in by_file.items():
        report = next((r for r in summary.files if r.sha256 == sha), None)
        if report is None:
            continue
        report.notices.append(LineIssue(
            report.file, 0, "periodo",
            f"{len(mine)} month(s) of {len({f.worker_id for f in mine})} worker(s) held for staff review (a first "
            "declaration long after it was due, or one that alone qualifies): not counted until accepted",
            "months_flagged", sink.describe_flags(mine)))


def expired_terminations(uow: SqlUnitOfWork, ruc: str | None = None) -> list[dict[str, Any]]:
    """The bajas that expired without finding their period or pay (decision 0412): for staff (all
    employers) and for the employer's page (*ruc*). No document numbers: ``worker_id``."""
    employer = uow.employers.by_ruc(ruc) if ruc is not None else None
    if ruc is not None and (employer is None or employer.id is None):
        return []
    return uow.payroll_sink.expired_terminations(employer.id if employer is not None else None)


def _months_before(day: dt.date, months: int) -> dt.date:
    m = day.year * 12 + day.month - 1 - months
    year, month = divmod(m, 12)
    last = (dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month + 1, min(day.day, last))


def _expire_terminations(sink: Any, summary: ImportSummary, today: dt.date) -> None:
    """The pending bajas kept ``PENDING_TERMINATION_MONTHS`` months or more expire (decision
    0412): each gets the notice ``termination_expired`` on a file of its employer in this import
    (named with its RUC), when there is one; all stay for staff with ``status = 'expired'``."""
    months = sink.PENDING_TERMINATION_MONTHS
    due = sink.expire_pending(_months_before(today, months), today)
    for ruc, end in due:
        report = next((r for r in summary.files if r.status in ("accepted", "partial")
                       and str(ruc) in os.path.basename(r.file)), None)
        if report is not None:
            report.notices.append(LineIssue(
                report.file, 0, "fecha_fin",
                f"a baja of {end.strftime('%d/%m/%Y')} kept pending for {months} months "
                "never found its period or pay: no longer retried; send the worker's T-Registro alta and baja",
                "termination_expired"))


def _close_or_open(uow: SqlUnitOfWork, employer_id: int, worker_id: int, end: dt.date, cause: str) -> str | None:
    return uow.payroll_sink.close_or_open(employer_id, worker_id, end, cause)


def register_concept_flag(uow: SqlUnitOfWork, ruc: str, concept: str, essalud: bool) -> str:
    """The employer's EsSalud affectation for one of its "otros conceptos" (Tabla 22, 1001–1040:
    "SI/NO", set by the employer in PLAME). Returns the concept's 4-digit code."""
    from seguro_desempleo.domain.registry import validate_ruc
    from seguro_desempleo.errors import InputError

    ruc = validate_ruc(ruc, field="--ruc")
    code = concept.strip()
    if code.isdigit() and len(code) < 4:
        code = code.zfill(4)
    if code not in plame_other_flagged():
        raise InputError("the EsSalud flag is registered for concepts 1001-1040 (Tabla 22, 'otros conceptos')",
                         field="--concept")
    employer = uow.employers.by_ruc(ruc) or uow.employers.upsert(Employer(ruc=ruc))
    assert employer.id is not None
    uow.payroll_sink.set_concept_flag(employer.id, code, essalud)
    return code


def plame_other_flagged() -> frozenset[str]:
    from seguro_desempleo.formats.payroll_lines import EMPLOYER_FLAGGED_CONCEPTS

    return EMPLOYER_FLAGGED_CONCEPTS


def _file_row(sha: str, name: str, kind: str, report: FileReport) -> pl.DataFrame:
    """One ``import_file`` row (a ``.per`` file), in the frame :func:`_record_files` takes."""
    return pl.DataFrame([(sha, os.path.basename(name)[:255], kind, report.status, report.lines,
                          report.accepted_lines, report.rejected_lines,
                          dt.datetime.now(dt.UTC).replace(tzinfo=None))], schema=FILE_SCHEMA, orient="row")


FILE_SCHEMA: dict[str, Any] = {
    "sha256": pl.Utf8, "filename": pl.Utf8, "kind": pl.Utf8, "status": pl.Utf8, "lines": pl.Int64,
    "accepted_lines": pl.Int64, "rejected_lines": pl.Int64, "imported_at": pl.Datetime("us")}
"""The ``import_file`` columns an import writes (the id is added by :func:`_record_files`)."""


LARGE_RUN_FILES = 5000
"""From this many files on (or one large table file), an import loads the whole registry's keys
once instead of looking its workers up chunk by chunk (:func:`_preload_keys`)."""


def _large_run(names: list[str]) -> bool:
    if len(names) >= LARGE_RUN_FILES:
        return True
    with contextlib.suppress(OSError):  # an unreadable file is reported when its turn comes
        return any(os.path.getsize(n) >= CHUNK_BYTES for n in names if not n.lower().endswith(".rem"))
    return False


