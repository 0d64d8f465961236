"""Art. 7, third requirement — the job loss reported to the employment service.

"Que el asegurado haya informado de la contingencia a los servicios de empleo y cumplido con los
requisitos exigidos por estos."

Not modelled here: the employment service's own requirements (obligations, just causes) are
tracked by the claims service after the decision; this rule checks the registration.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from seguro_desempleo.parameters import Snapshot

ARTICLE = "PL 5510/2022-CR, art. 7"


def registration_met(registered: npt.ArrayLike, snap: Snapshot) -> npt.NDArray[np.bool_]:
    r = np.asarray(registered, dtype=bool)
    if snap["requirements.employment_service_registration_required"]:
        return r
    return np.ones_like(r, dtype=bool)
