"""What a projection rests on: every projection is labelled with its basis (issue 29).

Four bases: the fund's own books (the ledger), an experience study of the fund's claims, the ILO 2021
valuation quoted in the bill, and the microsimulation of a design. The label is Spanish (the board's
language); :func:`basis_label_en` gives the English one for the web's English pages.
"""

from __future__ import annotations

BOOKS = "libros del fondo"
BOOKS_EN = "fund's own books"


# Each prefix of an assumption set's name: its Spanish and English label (the rest of the name follows).
_PREFIXES: dict[str, tuple[str, str]] = {
    "ilo-": ("OIT {} (valuación actuarial citada en el PL 5510/2022-CR)",
             "ILO {} (actuarial valuation quoted in bill PL 5510/2022-CR)"),
    "microsim-": ("microsimulación del diseño {}", "microsimulation of design {}"),
    "experience-": ("estudio de experiencia {}", "experience study {}"),
}
_STRUCTURAL = ("ejemplo estructural (cifras ilustrativas)", "structural example (illustrative figures)")
_FILE = ("archivo de supuestos {}", "assumption file {}")


def _label(name: str, lang: int) -> str:
    for prefix, labels in _PREFIXES.items():
        if name.startswith(prefix):
            return labels[lang].format(name.removeprefix(prefix))
    if name == "structural-example":
        return _STRUCTURAL[lang]
    return _FILE[lang].format(name)


def basis_label(name: str) -> str:
    """The Spanish label of an assumption set's basis, from its name."""
    return _label(name, 0)


def basis_label_en(name: str) -> str:
    return _label(name, 1)
