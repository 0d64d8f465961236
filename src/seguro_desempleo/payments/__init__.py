"""Monthly benefit payments: installments due, overpayments and recovery, bank payment files.

:mod:`schedule` decides what is owed to whom for which month (pure functions, idempotency key
claim × installment); :mod:`bank_file` writes and reads the bank payment file and reconciles
returned payments. See docs/payments.md.
"""
