"""Art. 3 — who is insured (ámbito de aplicación).

"cubre a los trabajadores dependientes ... inicialmente ... del sector privado de la mediana y
gran empresa, sea que cuenten contratos a plazo indeterminado o contratos sujetos a modalidad."

Not modelled: independent (4th-category) workers are never in the population this rule sees.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from seguro_desempleo.parameters import Snapshot
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
