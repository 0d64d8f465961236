"""Spanish (es-PE) by default, English on request; Peruvian formats for money and dates.

Texts are keyed by a short English id. A missing English text falls back to Spanish, a missing
id shows the id (and a test checks every id used in the templates exists in both languages).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from seguro_desempleo.money import format_soles
from seguro_desempleo.periods import format_date_pe
from seguro_desempleo.web import i18n_strings_more, i18n_strings_pages

LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"

TEXTS: dict[str, dict[str, str]] = {
    "site_title": {"es": "Seguro por Desempleo", "en": "Unemployment Insurance"},
    "skip": {"es": "Saltar al contenido", "en": "Skip to content"},
    "home": {"es": "Inicio", "en": "Home"},
    "estimate": {"es": "¿Cuánto recibiría?", "en": "How much would I get?"},
    "parameters": {"es": "Normas vigentes", "en": "Rules in force"},
    "login": {"es": "Ingresar", "en": "Log in"},
    "logout": {"es": "Salir", "en": "Log out"},
    "language": {"es": "Idioma", "en": "Language"},
    "intro": {"es": "Si perdió su empleo sin haberlo decidido, el Seguro por Desempleo le paga hasta cinco "
                    "meses mientras busca un nuevo trabajo con el Servicio Nacional de Empleo.",
              "en": "If you lost your job through no choice of your own, the Unemployment Insurance pays you "
                    "for up to five months while you look for a new job with the National Employment Service."},
    "requirements_title": {"es": "Requisitos (art. 7)", "en": "Requirements (art. 7)"},
    "req_contributions": {"es": "12 aportaciones en los últimos 24 meses.",
                          "en": "12 contributions in the last 24 months."},
    "req_contingency": {"es": "Cese involuntario: despido, cese colectivo o término del contrato (art. 6).",
                        "en": "Involuntary separation: dismissal, collective dismissal or end of contract (art. 6)."},
    "req_waiting": {"es": "Esperar el período de carencia desde el cese.",
                    "en": "Wait the waiting period after the separation."},
    "req_registration": {"es": "Inscribirse en el servicio de empleo.",
                         "en": "Register with the employment service."},
    "benefit_title": {"es": "La prestación (art. 5)", "en": "The benefit (art. 5)"},
    "benefit_text": {"es": "70 %, 65 %, 60 %, 55 % y 50 % de su remuneración asegurable promedio de los "
                           "últimos 12 meses, un mes cada uno.",
                     "en": "70 %, 65 %, 60 %, 55 % and 50 % of your average insurable pay of the last "
                           "12 months, one month each."},
    "estimate_intro": {"es": "Un cálculo orientativo con las normas vigentes. No es una resolución.",
                       "en": "An indicative calculation under the rules in force. It is not a decision."},
    "monthly_pay": {"es": "Remuneración mensual (S/)", "en": "Monthly pay (S/)"},
    "months_contributed": {"es": "Meses aportados en los últimos 24", "en": "Months contributed in the last 24"},
    "separation_date": {"es": "Fecha de cese", "en": "Separation date"},
    "claim_date": {"es": "Fecha de solicitud", "en": "Claim date"},
    "termination_cause": {"es": "Motivo del cese", "en": "Reason for separation"},
    "employer_size": {"es": "Tamaño de la empresa", "en": "Employer size"},
    "registered": {"es": "Ya me inscribí en el servicio de empleo", "en": "I registered with the employment service"},
    "calculate": {"es": "Calcular", "en": "Calculate"},
    "result": {"es": "Resultado", "en": "Result"},
    "eligible_yes": {"es": "Cumpliría los requisitos.", "en": "You would meet the requirements."},
    "eligible_no": {"es": "Por ahora no cumpliría los requisitos.", "en": "For now you would not meet the requirements."},
    "requirement": {"es": "Requisito", "en": "Requirement"},
    "article": {"es": "Artículo", "en": "Article"},
    "met": {"es": "¿Cumple?", "en": "Met?"},
    "yes": {"es": "Sí", "en": "Yes"},
    "no": {"es": "No", "en": "No"},
    "detail": {"es": "Detalle", "en": "Detail"},
    "month": {"es": "Mes", "en": "Month"},
    "rate": {"es": "Porcentaje", "en": "Rate"},
    "amount": {"es": "Monto", "en": "Amount"},
    "total": {"es": "Total", "en": "Total"},
    "insurable_remuneration": {"es": "Remuneración asegurable", "en": "Insurable pay"},
    "parameter": {"es": "Parámetro", "en": "Parameter"},
    "value": {"es": "Valor", "en": "Value"},
    "in_force_since": {"es": "Vigente desde", "en": "In force since"},
    "reference": {"es": "Base legal", "en": "Legal basis"},
    "size_micro": {"es": "Microempresa", "en": "Micro"},
    "size_small": {"es": "Pequeña empresa", "en": "Small"},
    "size_medium": {"es": "Mediana empresa", "en": "Medium"},
    "size_large": {"es": "Gran empresa", "en": "Large"},
    "role": {"es": "Rol", "en": "Role"},
    "subject": {"es": "Código de trabajador o RUC (si corresponde)", "en": "Worker id or RUC (if applicable)"},
    "login_intro": {"es": "Ingreso de demostración: elija su rol.", "en": "Demo log-in: choose your role."},
    "logged_in_as": {"es": "Sesión:", "en": "Signed in as:"},
    "error": {"es": "Revise los datos", "en": "Please check"},
    "footer": {"es": "Proyecto de Ley 5510/2022-CR. Transparencia (art. 2) sin datos personales.",
               "en": "Bill 5510/2022-CR. Transparency (art. 2) without personal data."},
}


def _add(pairs: dict[str, tuple[str, str]]) -> None:
    for key, (es, en) in pairs.items():
        TEXTS[key] = {"es": es, "en": en}


_add(i18n_strings_pages.STRINGS_01)

_add(i18n_strings_pages.STRINGS_02)


_add(i18n_strings_more.STRINGS_03)


def text(key: str, lang: str) -> str:
    entry = TEXTS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry[DEFAULT_LANGUAGE]


def soles(cents: int | None) -> str:
    """``123456`` → ``S/ 1,234.56`` (the format the project uses everywhere people read money)."""
    return "—" if cents is None else format_soles(int(cents))


_add(i18n_strings_more.STRINGS_04)


def fecha(value: dt.date | str | None) -> str:
    """A date as ``dd/mm/aaaa``."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return format_date_pe(value)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def audit_text(value: object) -> str:
    """An audit record's before/after for people: ``key: value; …``, dates as ``dd/mm/aaaa``
    (the record keeps them as ISO text)."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {audit_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(audit_text(v) for v in value)
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return fecha(value)
    return str(value)


def percent(rate: Decimal | str | float) -> str:
    d = Decimal(str(rate)) * 100
    return f"{d.normalize():f} %"


# Governance of the fund (issue 28): web/governance.py and its gov_* templates.
_add(i18n_strings_more.STRINGS_05)


_add(i18n_strings_more.STRINGS_06)


# Sign-in (issue 27): appended as one block so parallel edits above do not collide.
TEXTS.update(i18n_strings_more.STRINGS_07)


# ------------------------------------------------------------------ issue 30: Spanish throughout

_add(i18n_strings_more.STRINGS_08)

MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
             "noviembre", "diciembre")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def category(dimension: str, value: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """A breakdown's category for people: ``sex M`` → ``hombres``, ``sector private`` → ``privado``;
    other values (regions, age bands) as they are."""
    key = f"cat_{dimension}_{value}"
    return text(key, lang) if key in TEXTS else str(value)


def mes(value: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """A month for people: ``2025-04`` (or a month index) → ``abril 2025`` / ``April 2025``."""
    from seguro_desempleo.periods import month_for_people

    # also 202504 (a file's), a month index as text, and the YYYY-MM months inside a text
    return month_for_people(value, "es" if lang == "es" else "en")


_REASONS_ES = (
    (re.compile(r"is not an amount in soles"), "no es un monto en soles (por ejemplo 1500.00)"),
    (re.compile(r"amount must be a decimal"), "no es un monto en soles (por ejemplo 1500.00)"),
    (re.compile(r"is negative"), "no puede ser negativo"),
    (re.compile(r"must be more than zero"), "debe ser mayor que cero"),
    (re.compile(r"whole number of months|between 0 and 24"), "debe ser un número entero de meses de 0 a 24"),
    (re.compile(r"cannot be before the separation date"), "no puede ser anterior a la fecha de cese"),
    (re.compile(r"date|day|month", re.IGNORECASE), "no es una fecha válida (dd/mm/aaaa)"),
    (re.compile(r"unknown code"), "no es un motivo de cese de la Tabla 17"),
    (re.compile(r"unknown size"), "no es un tamaño de empresa conocido"),
)


def form_error(exc: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    """One line for a person about a form's bad field: ``Remuneración mensual: no es un monto…``.

    The service's messages are English for logs and the API; the Spanish page names the field by
    its label and gives the reason in Spanish."""
    field = str(getattr(exc, "field", "") or "")
    message = str(getattr(exc, "message", exc))
    key = f"field_{field}"  # an i18n key, not SQL
    label = text(key, lang) if key in TEXTS else field
    if lang != "es":
        return f"{label}: {message}" if label else message
    reason = next((es for pattern, es in _REASONS_ES if pattern.search(message)), text("invalid_value", lang))
    return f"{label}: {reason}" if label else reason


# ------------------------------------------------------------------ wave-p: /parametros codes by their label
_add(i18n_strings_more.STRINGS_09)


# ------------------------------------------------------------------ wave-x: months for people in any text
def months_in(value: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """Every ``YYYY-MM`` month inside a text for people (``periods.months_in_text``)."""
    from seguro_desempleo.periods import months_in_text

    return months_in_text(value, "es" if lang == "es" else "en")
