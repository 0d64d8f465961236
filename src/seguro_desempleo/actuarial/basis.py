"""What a projection rests on: every projection is labelled with its basis (issue 29).

Four bases: the fund's own books (the ledger), an experience study of the fund's claims, the ILO 2021
valuation quoted in the bill, and the microsimulation of a design. The label is Spanish (the board's
language); :func:`basis_label_en` gives the English one for the web's English pages.
"""

from __future__ import annotations

BOOKS = "libros del fondo"
BOOKS_EN = "fund's own books"


def basis_label(name: str) -> str:
    """The Spanish label of an assumption set's basis, from its name."""
    if name.startswith("ilo-"):
        return f"OIT {name.removeprefix('ilo-')} (valuación actuarial citada en el PL 5510/2022-CR)"
    if name.startswith("microsim-"):
        return f"microsimulación del diseño {name.removeprefix('microsim-')}"
    if name.startswith("experience-"):
        return f"estudio de experiencia {name.removeprefix('experience-')}"
    if name == "structural-example":
        return "ejemplo estructural (cifras ilustrativas)"
    return f"archivo de supuestos {name}"


def basis_label_en(name: str) -> str:
    if name.startswith("ilo-"):
        return f"ILO {name.removeprefix('ilo-')} (actuarial valuation quoted in bill PL 5510/2022-CR)"
    if name.startswith("microsim-"):
        return f"microsimulation of design {name.removeprefix('microsim-')}"
    if name.startswith("experience-"):
        return f"experience study {name.removeprefix('experience-')}"
    if name == "structural-example":
        return "structural example (illustrative figures)"
    return f"assumption file {name}"
