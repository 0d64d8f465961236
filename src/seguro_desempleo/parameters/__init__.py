"""Parameters of the law as data (one YAML file per legal quantity) and their loader.

Lawyers review the YAML files; code reads them through :func:`default_parameters` (once) and
hands the rules a :class:`Snapshot` of the values in force on a date.
"""

from seguro_desempleo.parameters.model import (
    Bounds,
    Parameter,
    ParameterSet,
    ParamRead,
    Reference,
    Snapshot,
    default_parameters,
    load_parameters,
    load_yaml,
    parse_override,
)

__all__ = [
    "Bounds",
    "ParamRead",
    "Parameter",
    "ParameterSet",
    "Reference",
    "Snapshot",
    "default_parameters",
    "load_parameters",
    "load_yaml",
    "parse_override",
]
