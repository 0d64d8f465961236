"""Art. 3 — who is insured (ámbito de aplicación).

"cubre a los trabajadores dependientes ... inicialmente ... del sector privado de la mediana y
gran empresa, sea que cuenten contratos a plazo indeterminado o contratos sujetos a modalidad."

Not modelled: independent (4th-category) workers are never in the population this rule sees.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from seguro_desempleo.parameters import ParameterSet, Snapshot
from seguro_desempleo.periods import first_day
from seguro_desempleo.rules import SECTOR_CODES, SIZE_CODES

ARTICLE = "PL 5510/2022-CR, art. 3"


def code_table(codes: list[int], size: int = 100) -> npt.NDArray[np.bool_]:
    """Boolean lookup table: ``table[code]`` is True for the allowed int codes."""
    table = np.zeros(size, dtype=bool)
    table[np.asarray(codes, dtype=np.int64)] = True
    return table


def coverage_tables(snap: Snapshot) -> tuple[npt.NDArray[np.bool_], ...]:
    """(sector, size, contract) lookup tables of the covered codes in *snap*."""
    return snap.memo("coverage.tables", lambda s: (
        code_table([SECTOR_CODES.index(x) for x in s["coverage.sectors"]], len(SECTOR_CODES)),
        code_table([SIZE_CODES.index(x) for x in s["coverage.employer_sizes"]], len(SIZE_CODES)),
        code_table([int(c) for c in s["coverage.contract_types"]]),
    ))


def is_covered(sector: npt.ArrayLike, employer_size: npt.ArrayLike, contract_type: npt.ArrayLike,
               snap: Snapshot) -> npt.NDArray[np.bool_]:
    """Covered worker: sector, employer size class and contract type (Tabla 12) are all covered.

    ``sector`` and ``employer_size`` are int codes (indexes of ``SECTOR_CODES`` / ``SIZE_CODES``);
    ``contract_type`` is the Tabla 12 code as an int ("01" → 1).
    """
    sectors, sizes, contracts = coverage_tables(snap)
    return (sectors[np.asarray(sector)] & sizes[np.asarray(employer_size)]
            & contracts[np.asarray(contract_type)])


def employer_covered(size: str | None, sector: str, month: int, params: ParameterSet) -> bool:
    """Art. 3 and the Segunda disposición final, for contributions: whether an employer of *size*
    (its size class in force in *month*, a month index) and *sector* is inside the phase in force
    in that month. Only such an employer-month is charged art. 8's 1.16 %, dunned for arrears and
    booked as fund income, and only its months are aportaciones (issue 26, item 1). The phases
    are the dated values of ``coverage.employer_sizes`` and ``coverage.sectors``: a later phase
    moves employers in from its date. An unknown size is not covered (no size, no phase)."""
    if size is None:
        return False
    snap = params.at(first_day(month))
    return sector in snap["coverage.sectors"] and size in snap["coverage.employer_sizes"]


def contract_charged(contract_type: str | None, month: int, params: ParameterSet) -> bool:
    """Whether a worker-month under Tabla 12 *contract_type* is charged (art. 3 "contratos a
    plazo indeterminado o ... sujetos a modalidad"; ``coverage.contract_types`` in force in the
    month). A contract outside coverage — part-time 02 by default — is charged nothing, neither
    the employer's part nor the CTS part, and is not an aportación: a worker out of the benefits
    does not pay for them (issue 26, item 5). An unknown contract type (``None``: the import has
    not read one yet) is charged, as the import did before contract types were read."""
    if contract_type is None:
        return True
    return contract_type in params.at(first_day(month))["coverage.contract_types"]


def employer_months_covered(sizes: Sequence[str | None], sectors: Sequence[str], months: Sequence[int],
                            params: ParameterSet) -> npt.NDArray[np.bool_]:
    """:func:`employer_covered` for many employer-months at once (one parameter read per month)."""
    out = np.zeros(len(months), dtype=bool)
    cache: dict[tuple[str | None, str, int], bool] = {}
    for i, key in enumerate(zip(sizes, sectors, (int(m) for m in months), strict=True)):
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = employer_covered(key[0], key[1], key[2], params)
        out[i] = hit
    return out
