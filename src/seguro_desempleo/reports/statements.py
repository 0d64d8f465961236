"""The fund's financial statements as files people read (issue 28; moved here by issue 24).

:func:`statements_csv` (one row per line, amounts in soles), :func:`statements_html` (the printable
page: balance sheet, income statement, the trial balance they reconcile with) and
:func:`statements_pdf` (that page through WeasyPrint). The CLI (``fund statements --format
csv|pdf``) and the web (``/directorio/estados.csv|.pdf`` and the page's tables, through
:func:`statements_body_html`) render from here, so the two never differ.

The words are :data:`LABELS` (Spanish, es-PE, or English), the one place they are kept: the web
page shows the same tables in its language, the command line prints in Spanish. A caller may pass
its own ``text`` (key → words). Money ``S/ 1,234.56``, dates ``dd/mm/aaaa``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from seguro_desempleo.domain.governance import Statements
from seguro_desempleo.money import cents_to_str, format_soles
from seguro_desempleo.periods import format_date_pe

TEMPLATES = Path(__file__).parent / "templates"

#: The statements' words (key → (Spanish, English)); ``gov_statements``, ``account``, ``debit``,
#: ``credit`` and ``trial_balance`` are also the web's (web/i18n.py), with the same words (a test).
LABELS: dict[str, tuple[str, str]] = {
    "gov_statements": ("Estados financieros del fondo", "Financial statements of the fund"),
    "gov_balance_sheet": ("Estado de situación financiera", "Balance sheet"),
    "gov_income_statement": ("Estado de resultados", "Income statement"),
    "account": ("Cuenta", "Account"),
    "gov_description": ("Descripción", "Description"),
    "gov_assets": ("Activo", "Assets"),
    "gov_liabilities": ("Pasivo", "Liabilities"),
    "gov_equity": ("Patrimonio y reservas", "Equity and reserves"),
    "gov_unclosed_result": ("Resultado del período no cerrado", "Result of the period not yet closed"),
    "gov_total_assets": ("Total activo", "Total assets"),
    "gov_total_liab_equity": ("Total pasivo y patrimonio", "Total liabilities and equity"),
    "gov_result": ("Resultado del período", "Result of the period"),
    "trial_balance": ("Balance de comprobación", "Trial balance"),
    "debit": ("Debe", "Debit"),
    "credit": ("Haber", "Credit"),
    "gov_reconciled": ("conciliado con el balance de comprobación.", "reconciled with the trial balance."),
}


def label(key: str, lang: str = "es") -> str:
    words = LABELS.get(key)
    if words is None:
        return key
    return words[1] if lang == "en" else words[0]


def statements_csv(st: Statements) -> str:
    """The statements as CSV: ``estado, seccion, cuenta, descripcion, importe_soles``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["estado", "seccion", "cuenta", "descripcion", "importe_soles"])
    for section, items in (("activo", st.assets), ("pasivo", st.liabilities), ("patrimonio", st.reserves)):
        for line in items:
            w.writerow(["situacion", section, line.code, line.label, cents_to_str(line.amount)])
    w.writerow(["situacion", "patrimonio", "", "Resultado del período no cerrado", cents_to_str(st.unclosed_result)])
    w.writerow(["situacion", "total", "", "Total activo", cents_to_str(st.total_assets)])
    w.writerow(["situacion", "total", "", "Total pasivo y patrimonio",
                cents_to_str(st.total_liabilities + st.total_reserves)])
    for section, items in (("ingresos", st.income), ("gastos", st.expenses)):
        for line in items:
            w.writerow(["resultados", section, line.code, line.label, cents_to_str(line.amount)])
    w.writerow(["resultados", "total", "", "Resultado del período", cents_to_str(st.result)])
    w.writerow(["balance_comprobacion", "total", "", "Debe", cents_to_str(st.trial_debit)])
    w.writerow(["balance_comprobacion", "total", "", "Haber", cents_to_str(st.trial_credit)])
    return buf.getvalue()


def _soles(cents: int | None) -> str:
    return "—" if cents is None else format_soles(int(cents))


def _render(name: str, text: Callable[[str], str] | None, lang: str, **context: object) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["html"]))
    words = text or (lambda key: label(key, lang))
    from seguro_desempleo.periods import month_for_people  # "febrero 2025" for people (issue 30)

    return env.get_template(name).render(t=words, lang=lang, soles=_soles, fecha=format_date_pe,
                                         mes=lambda value: month_for_people(value, lang), **context)


def statements_body_html(st: Statements, *, text: Callable[[str], str] | None = None, lang: str = "es") -> str:
    """The two tables and the trial-balance line (the web page shows them inside its layout)."""
    return _render("statements_body.html", text, lang, st=st)


def statements_html(st: Statements, period: str, *, text: Callable[[str], str] | None = None,
                    lang: str = "es") -> str:
    """The printable page of the statements for *period*."""
    return _render("statements_print.html", text, lang, st=st, period=period)


def statements_pdf(html: str) -> bytes:
    """*html* (:func:`statements_html`) as PDF."""
    import weasyprint  # heavy import, only when a PDF is asked for

    return bytes(weasyprint.HTML(string=html).write_pdf())
