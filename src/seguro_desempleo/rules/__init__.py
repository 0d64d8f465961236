"""The law as vectorised functions over numpy arrays (money in int64 céntimos).

One claim is an array of length 1: the caseworker's decision, the national batch, the actuarial
model and the microsimulation all run this code. Nothing here reads files, clocks, databases or the
network: parameter values arrive as a :class:`~seguro_desempleo.parameters.Snapshot`.

Modules mirror the bill: ``coverage`` (art. 3), ``contingency`` (art. 6), ``contributions``,
``waiting`` and ``registration`` (art. 7), ``remuneration`` and ``benefits`` (art. 5, Ley 26790
art. 6), ``financing`` (art. 8), and ``evaluate`` which combines them into explained decisions.
"""

SIZE_CODES: tuple[str, ...] = ("micro", "small", "medium", "large")
"""Employer size classes (Ley 30056); the int code of a size is its index here."""

SECTOR_CODES: tuple[str, ...] = ("private", "public")
"""Sectors; the int code of a sector is its index here."""
