"""The domain: entities and value objects as plain dataclasses (no ORM, no IO; the one file read
is the package's own copy of the SUNAT code tables, :mod:`.codes`, read once).

- :mod:`.registry` — employers, workers, employment periods and their identifier checks;
- :mod:`.payroll` — declarations, contribution records and import reports;
- :mod:`.payroll_parsers` — the payroll import's port on the files' readers (``formats/``);
- :mod:`.codes` — the SUNAT code tables (Tablas 3, 12, 17, 22) the claims and the readers share;
- :mod:`.ledger` — the fund's chart of accounts and balanced entries.
"""
