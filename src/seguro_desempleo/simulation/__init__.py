"""Microsimulation of Peru's labour market under unemployment-insurance designs (issue 7).

Entry points: :class:`seguro_desempleo.simulation.runner.RunSpec` and
:func:`~seguro_desempleo.simulation.runner.run` (one design), :func:`~seguro_desempleo.simulation.sweep.sweep`
(designs × seeds on an executor), :mod:`~seguro_desempleo.simulation.outputs` (indicators, flows
for the actuarial projection, comparison, calibration report). Designs are YAML files in
``designs/``; calibration targets with their sources are in ``targets.yaml``. See docs/simulation.md.
"""

from seguro_desempleo.simulation._cache import ensure_cache_dir

ensure_cache_dir()  # before numba is imported: a writable kernel cache even in a read-only install
