"""Art. 6 — the covered contingency: involuntary unemployment.

"extinción del vínculo laboral que son consecuencia del despido, cese colectivo, término de
contrato, entre otros supuestos que serán desarrollados por el Reglamento."

Reading: the termination cause declared in T-Registro (Tabla 17) decides; the covered codes are
the parameter ``contingency.covered_causes`` (03, 04, 07 by default).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from seguro_desempleo.parameters import Snapshot

ARTICLE = "PL 5510/2022-CR, art. 6"


def is_covered_contingency(termination_cause: npt.ArrayLike, snap: Snapshot) -> npt.NDArray[np.bool_]:
    """True where the Tabla 17 cause (as an int, "03" → 3) is an involuntary job loss."""
    return cause_table(snap)[np.asarray(termination_cause)]


def cause_table(snap: Snapshot) -> npt.NDArray[np.bool_]:
    """Lookup table over Tabla 17 codes 00–99: True for the covered causes."""
    def build(s: Snapshot) -> npt.NDArray[np.bool_]:
        table = np.zeros(100, dtype=bool)
        table[[int(c) for c in s["contingency.covered_causes"]]] = True
        return table

    result: npt.NDArray[np.bool_] = snap.memo("contingency.table", build)
    return result
