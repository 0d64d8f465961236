"""The payroll import's run: its state and writer thread, each chunk's fates and units, and what is
done once every file is written (bajas without a start, the plausibility flags) — over the
``PayrollSink`` port (``uow.payroll_sink``), with no parsing (that stays in
:mod:`seguro_desempleo.services.payroll_import`) and no SQL (decision 0803).
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from seguro_desempleo.domain.ledger import Accounts, signed_line
from seguro_desempleo.domain.payroll import ISSUE_CODES, FileReport, ImportSummary, LineIssue
from seguro_desempleo.domain.registry import (
    FOREIGN_DOCUMENTS,
    Worker,
)
from seguro_desempleo.parameters import ParameterSet
from seguro_desempleo.rules.financing import monthly_amounts
from seguro_desempleo.services import ledger
from seguro_desempleo.services.payroll_read import KINDS, FileBatch


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


def _post_receivables(uow: Any, run: _Run, today: dt.date) -> None:
    """The import's one balanced entry: contributions receivable against contribution income."""
    d_emp, d_cts = run.employer_delta, run.cts_delta
    ledger.post(uow, "payroll.declared", [
        signed_line(Accounts.RECEIVABLE_EMPLOYER, d_emp), signed_line(Accounts.RECEIVABLE_CTS, d_cts),
        signed_line(Accounts.CONTRIBUTION_INCOME_EMPLOYER, d_emp),
        signed_line(Accounts.CONTRIBUTION_INCOME_CTS, d_cts)],
        ref=f"import:{(run.first_sha or '')[:16]}+{run.units - 1}", at=today)


def _fates(checked: Any, info: list[pl.DataFrame], reps: dict[int, FileReport],
           partial: bool) -> pl.DataFrame:
    """The lines' issues and notices on their files' reports, and each file's fate; returns the
    files not rejected."""
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
    return accepted


def _write(sink: Any, run: _Run, held: list[Any], reps: dict[int, FileReport], params: ParameterSet) -> None:
    """The chunk's accepted lines (*held*: ``[checked, accepted]``, handed over: emptied here so
    that the frames go as soon as they are used) as declaration units and contribution records,
    handed to the writer."""
    checked, accepted = held
    held.clear()
    months = checked.months.join(accepted.select("file"), on="file", how="semi")
    # Art. 3 by month (issue 26, item 1): read in this thread once the writer is idle.
    charged = (run.writer.call(sink.months_charged, months["ruc"].to_list(), months["period"].to_list(),
                               params) if months.height else None)
    months = _with_contributions(months, params, charged)
    del checked
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


def _worker_of(uow: Any, run: _Run | None, doc_type: str, number: str, country: str | None) -> Worker:
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


def _resolve_terminations(uow: Any, run: _Run, summary: ImportSummary, today: dt.date) -> None:
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


def _flag_first_declarations(uow: Any, run: _Run, summary: ImportSummary, params: ParameterSet,
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


def expired_terminations(uow: Any, ruc: str | None = None) -> list[dict[str, Any]]:
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


def _close_or_open(uow: Any, employer_id: int, worker_id: int, end: dt.date, cause: str) -> str | None:
    return uow.payroll_sink.close_or_open(employer_id, worker_id, end, cause)


def _file_row(sha: str, name: str, kind: str, report: FileReport) -> pl.DataFrame:
    """One ``import_file`` row (a ``.per`` file), in the frame :func:`_record_files` takes."""
    return pl.DataFrame([(sha, os.path.basename(name)[:255], kind, report.status, report.lines,
                          report.accepted_lines, report.rejected_lines,
                          dt.datetime.now(dt.UTC).replace(tzinfo=None))], schema=FILE_SCHEMA, orient="row")


FILE_SCHEMA: dict[str, Any] = {
    "sha256": pl.Utf8, "filename": pl.Utf8, "kind": pl.Utf8, "status": pl.Utf8, "lines": pl.Int64,
    "accepted_lines": pl.Int64, "rejected_lines": pl.Int64, "imported_at": pl.Datetime("us")}
"""The ``import_file`` columns an import writes (the id is added by :func:`_record_files`)."""
