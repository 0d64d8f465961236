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


def _codes_in(values: npt.ArrayLike, allowed: list[int]) -> npt.NDArray[np.bool_]:
    return np.isin(np.asarray(values), np.asarray(allowed, dtype=np.int64))


def is_covered(sector: npt.ArrayLike, employer_size: npt.ArrayLike, contract_type: npt.ArrayLike,
               snap: Snapshot) -> npt.NDArray[np.bool_]:
    """Covered worker: sector, employer size class and contract type (Tabla 12) are all covered.

    ``sector`` and ``employer_size`` are int codes (indexes of ``SECTOR_CODES`` / ``SIZE_CODES``);
    ``contract_type`` is the Tabla 12 code as an int ("01" → 1).
    """
    sectors = [SECTOR_CODES.index(s) for s in snap["coverage.sectors"]]
    sizes = [SIZE_CODES.index(s) for s in snap["coverage.employer_sizes"]]
    contracts = [int(c) for c in snap["coverage.contract_types"]]
    return (_codes_in(sector, sectors) & _codes_in(employer_size, sizes)
            & _codes_in(contract_type, contracts))
