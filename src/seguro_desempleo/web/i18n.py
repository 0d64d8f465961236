"""Spanish (es-PE) by default, English on request; Peruvian formats for money and dates.

Texts are keyed by a short English id. A missing English text falls back to Spanish, a missing
id shows the id (and a test checks every id used in the templates exists in both languages).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from seguro_desempleo.money import format_soles
from seguro_desempleo.periods import format_date_pe

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


def text(key: str, lang: str) -> str:
    entry = TEXTS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry[DEFAULT_LANGUAGE]


def soles(cents: int | None) -> str:
    """``123456`` → ``S/ 1,234.56`` (the format the project uses everywhere people read money)."""
    return "—" if cents is None else format_soles(int(cents))


def fecha(value: dt.date | str | None) -> str:
    """A date as ``dd/mm/aaaa``."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return format_date_pe(value)


def percent(rate: Decimal | str | float) -> str:
    d = Decimal(str(rate)) * 100
    return f"{d.normalize():f} %"
