"""The domain: entities and value objects as plain dataclasses (no ORM, no IO).

- :mod:`.registry` — employers, workers, employment periods and their identifier checks;
- :mod:`.payroll` — declarations, contribution records and import reports;
- :mod:`.ledger` — the fund's chart of accounts and balanced entries.
"""
