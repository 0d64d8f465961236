"""seguro_desempleo: Peru's unemployment insurance (Proyecto de Ley 5510/2022-CR) end to end.

Layers (imports point inward only): entry points (cli/, api/, web/) and adapters (storage/,
formats/, payments/, employment_service/, reports/) over services/, over the engines
(actuarial/, simulation/), over the law (rules/ over parameters/), over domain/.
"""

__version__ = "0.1.0"

# numba's kernel cache in a writable per-user directory, never inside the package, and a corrupt cache
# file read as a miss (issue 29; simulation/_cache.py). Before any module imports numba; numba itself is
# not imported here.
from seguro_desempleo.simulation._cache import ensure_cache_dir as _ensure_cache_dir

_ensure_cache_dir()
