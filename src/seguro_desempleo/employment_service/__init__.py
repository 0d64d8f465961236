"""The link with the public employment service (third final provision of PL 5510/2022-CR).

:mod:`obligations` holds the job-search obligations as dated records, their outcomes, the coded
just causes (``just_causes.csv``) and the rule "unjustified non-compliance suspends payment;
compliance resumes it" as pure functions; placements for the board's re-employment rates.
:mod:`adapter` is the interface to the employment service (Centro de Empleo / Empleos Perú) with a
local in-memory implementation.
"""
