"""The storage statements are literals (issue 24: no SQL assembled from pieces,
``tests/project/test_no_sql_formatting.py``); a fragment that must read the same in every
statement is written out in each, and held to its one documented constant here."""

from __future__ import annotations

import re

import pytest

from seguro_desempleo.domain.access import Role
from seguro_desempleo.storage import (
    claims_repositories,
    claims_sql,
    claims_sql_common,
    history,
    history_bulk,
    models_accounts,
)

_STATEMENTS_WITH_THE_PAID_RULE = {
    "history.MONTHS_SQL": history.MONTHS_SQL,
    "history.MONTHS_PG": history.MONTHS_PG,
    "history._HISTORY_BULK": history._HISTORY_BULK.text,
    "history._EMPLOYER_MONTHS": history._EMPLOYER_MONTHS.text,
    "history._MONTHS_BY_WORKER": history._MONTHS_BY_WORKER.element.text,
    "history_bulk._EMPLOYER_MONTHS_BULK": history_bulk._EMPLOYER_MONTHS_BULK.text,
    "claims_sql._DECISION_READS_PG": claims_sql._DECISION_READS_PG,
}


@pytest.mark.parametrize("name", sorted(_STATEMENTS_WITH_THE_PAID_RULE))
def test_each_statement_has_the_one_paid_rule_and_active_condition(name: str) -> None:
    sql = _STATEMENTS_WITH_THE_PAID_RULE[name]
    assert history._PAID in sql
    assert history.ACTIVE in sql


def test_the_other_history_statements_read_active_declarations() -> None:
    for sql in (history_bulk._EMPLOYER_MONTHS_BULK_PAY.text, claims_sql._PAYING_EMPLOYERS.text):
        assert history.ACTIVE in sql


def test_the_months_statements_are_one_text_in_two_placeholder_styles() -> None:
    assert history.HELD_BY_IMPORT_FLAG in history.MONTHS_SQL
    assert claims_sql._MONTHS_PG is history.MONTHS_PG
    assert re.sub(r":(w|a|b)\b", "%s", history.MONTHS_SQL) == history.MONTHS_PG
    assert claims_sql._WORKER_PERIODS_SQL.replace(":w", "%s") == claims_sql._WORKER_PERIODS_PG


def test_the_decision_reads_carry_the_charged_reads_word_for_word() -> None:
    worker = claims_sql._WORKER_PERIODS_SQL
    # the worker's rows, as _WORKER_PERIODS_SQL joins them (its select list as a JSON array)
    assert worker[worker.index("FROM worker w"):].replace(":w", "%(w)s") in claims_sql._DECISION_READS_PG


def test_the_last_separation_statements_differ_by_the_date_only() -> None:
    assert history._LAST_SEPARATION.replace(
        "IS NOT NULL ", "IS NOT NULL AND p.end_date <= :d ") == history._LAST_SEPARATION_ON


def test_the_audit_statements_are_the_lock_the_head_and_the_take() -> None:
    r = claims_repositories
    assert f"SELECT pg_advisory_xact_lock({r.AUDIT_LOCK_KEY}); {r._HEAD}; {r._TAKE}" == r._LOCK_HEAD_TAKE
    assert f"{r._HEAD}; {r._TAKE}" == r._HEAD_TAKE


def test_the_claim_read_selects_the_claim_columns() -> None:
    c = claims_sql_common
    assert f"SELECT {c._CLAIM_COLUMNS} FROM claim WHERE id = %s" == c._GET_CLAIM


def test_the_account_tables_allow_exactly_the_roles() -> None:
    assert "(" + ",".join(f"'{r.value}'" for r in Role) + ")" == models_accounts.ROLES_SQL
    for row in (models_accounts.UserAccountRow, models_accounts.ClientCredentialRow):
        checks = [str(c.sqltext) for c in row.__table__.constraints if str(c.name).endswith("role_known")]
        assert checks == [f"role IN {models_accounts.ROLES_SQL}"]
