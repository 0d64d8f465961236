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


_add({
    # requirements of art. 7 by their rule keys (plain names for people)
    "met_yes": ("cumple", "met"),
    "met_no": ("no cumple", "not met"),
    "next_filed": ("Su solicitud fue recibida. Un gestor la resolverá con las reglas del seguro (arts. 6 y 7); "
                   "verá aquí la resolución con sus motivos.",
                   "Your claim was received. A caseworker will decide it under the insurance rules (arts. 6 and "
                   "7); you will see the decision with its reasons here."),
    "next_waiting": ("Está en el período de carencia (art. 7). Al cumplirse, la solicitud se resuelve.",
                     "You are in the waiting period (art. 7). When it ends, the claim is decided."),
    "next_suspended_reemployment": ("El pago está suspendido porque consiguió un nuevo empleo. Las cuotas "
                                    "anteriores se mantienen.",
                                    "Payment is suspended because you found a new job. Earlier installments "
                                    "are kept."),
    "next_suspended_obligations": ("El pago está suspendido por no cumplir una obligación con el servicio de "
                                   "empleo sin causa justificada. Se reanuda cuando cumpla.",
                                   "Payment is suspended for missing an obligation with the employment service "
                                   "without just cause. It resumes once you comply."),
    "next_payment": ("Próximo pago", "Next payment"),
    "reqname_coverage": ("Está asegurado (trabajador dependiente de un sector y empresa cubiertos)",
                         "You are insured (employee of a covered sector and employer size)"),
    "reqname_contingency": ("Perdió el empleo sin decidirlo (despido, cese colectivo o fin de contrato)",
                            "You lost the job through no choice of your own (dismissal, layoff, end of contract)"),
    "reqname_contributions": ("12 aportes en los últimos 24 meses", "12 contributions in the last 24 months"),
    "reqname_waiting_period": ("Pasó el período de carencia", "The waiting period has passed"),
    "reqname_employment_service": ("Se inscribió en el servicio de empleo", "You registered with the employment service"),
    # Issue 26 items 3 and 9: read at the decision
    "reqname_reemployment": ("Meses de desempleo antes del nuevo empleo", "Months of unemployment before the new job"),
    "reqname_unemployment": ("Está desempleado(a): no conserva otro empleo", "You are unemployed: no other job kept"),
    "reqname_filing_deadline": ("Presentó la solicitud dentro del plazo", "You filed the claim in time"),
    "acts": ("Resoluciones emitidas", "Acts issued"),
    "act_number": ("Número", "Number"),
    "act_kind": ("Tipo", "Kind"),
    "act_issued_on": ("Emitida el", "Issued on"),
    "act_notified_on": ("Notificada el", "Notified on"),
    "act_not_notified": ("Aún no notificada", "Not notified yet"),
    "act_decision": ("Resolución de la solicitud", "Decision on the claim"),
    "act_suspension": ("Suspensión del pago", "Payment suspended"),
    "act_resumption": ("Reanudación del pago", "Payment resumed"),
    "act_closure": ("Conclusión de la prestación", "Benefit ended"),
    "act_overpayment": ("Pagos indebidos y devolución", "Overpayment and its recovery"),
    "act_amount_change": ("Modificación del monto", "Amount changed"),
    "act_appeal_resolution": ("Resolución del recurso", "Decision on the appeal"),
    "appeal_term_from_notification": (
        "El plazo de 15 días hábiles para presentar un recurso corre desde la notificación de la resolución, "
        "que aún no consta; si presenta el recurso ahora, se tiene por notificada hoy (Ley 27444, art. 27.2).",
        "The 15 business days to appeal run from the notification of the decision, not yet on record; "
        "an appeal filed now counts as notified today (Ley 27444, art. 27.2)."),
    # navigation and roles
    "nav_transparency": ("Transparencia", "Transparency"),
    "nav_my_contributions": ("Mis aportes", "My contributions"),
    "nav_my_claims": ("Mis solicitudes", "My claims"),
    "nav_file_claim": ("Solicitar la prestación", "Claim the benefit"),
    "nav_employer": ("Planillas y aportes", "Payroll and contributions"),
    "nav_queue": ("Bandeja de casos", "Case queue"),
    "nav_appeals": ("Recursos", "Appeals"),
    "nav_payments": ("Pagos del mes", "Monthly payments"),
    "nav_officer": ("Servicio de empleo", "Employment service"),
    "nav_board": ("Directorio", "Board"),
    "role_worker": ("Trabajador(a)", "Worker"),
    "role_employer": ("Empleador", "Employer"),
    "role_caseworker": ("Gestor(a) de casos", "Caseworker"),
    "role_employment_officer": ("Servicio de empleo", "Employment officer"),
    "role_analyst": ("Analista", "Analyst"),
    "role_board": ("Directorio", "Board"),
    "role_admin": ("Administración", "Administration"),
    # errors shown as keys
    "error_title": ("No se puede mostrar esta página", "This page cannot be shown"),
    "login_required": ("Ingrese primero.", "Please log in first."),
    "forbidden_role": ("Su rol no da acceso a esta página.", "Your role does not give access to this page."),
    "forbidden_row": ("Estos datos pertenecen a otra persona o empresa.",
                      "This data belongs to another person or employer."),
    "database_not_ready": ("Los datos no están disponibles en este momento (la base de datos no está lista). "
                           "Inténtelo más tarde.",
                           "The data is not available right now (the database is not ready). Please try later."),
    "cross_site": ("Este formulario fue enviado desde otro sitio y no se aceptó.",
                   "This form was sent from another site and was not accepted."),
    "no_separation": ("No hay un cese suyo registrado en el T-Registro. Su empleador debe informar el fin del "
                      "vínculo; luego podrá presentar la solicitud.",
                      "No separation of yours is recorded in T-Registro. Your employer must report the end of the "
                      "job; then you can file the claim."),
    "open_claim_exists": ("Ya tiene una solicitud en trámite; vea «Mis solicitudes».",
                          "You already have a claim in progress; see \u201cMy claims\u201d."),
    "not_found": ("No existe.", "Not found."),
    "not_decided": ("La solicitud aún no tiene resolución.", "The claim has no decision yet."),
    "grounds_required": ("Explique los fundamentos del recurso.", "Explain the grounds of the appeal."),
    "kind_required": ("Elija el tipo de recurso.", "Choose the kind of appeal."),
    "confirm_required": ("Confirme la declaración para presentar la solicitud.",
                         "Confirm the statement to file the claim."),
    "choose_file": ("Elija el archivo PLAME del mes.", "Choose the month's PLAME file."),
    "bad_file_name": ("Cada archivo debe llamarse como lo exporta la PLAME o el T-Registro: 0601AAAAMM<RUC>.rem, "
                      ".snl o .jor; RP_<RUC>.per o .tra.",
                      "Each file must be named as PLAME or T-Registro export it: 0601YYYYMM<RUC>.rem, .snl or "
                      ".jor; RP_<RUC>.per or .tra."),
    "expired_bajas": ("Bajas sin período ni remuneración: ya no se reintentan",
                      "Terminations without a period or pay: no longer retried"),
    "expired_bajas_help": ("Estas bajas esperaron 3 meses un período o una remuneración de su empresa que no llegó. "
                           "Envíe el alta y la baja del trabajador en el T-Registro (decisión 0412).",
                           "These terminations waited 3 months for a period or pay from your company that never "
                           "came. Send the worker's T-Registro start and termination (decision 0412)."),
    "baja_date": ("Fecha de la baja", "Termination date"),
    "baja_cause": ("Motivo (Tabla 17)", "Reason (Tabla 17)"),
    "expired_on": ("Vencida el", "Expired on"),
    "same_file_name": ("Dos archivos tienen el mismo nombre; suba cada archivo una sola vez.",
                       "Two files have the same name; upload each file once."),
    "other_ruc": ("El RUC del nombre del archivo no es el de su empresa.",
                  "The RUC in the file name is not your company's."),
    "too_large": ("El archivo es demasiado grande para la web; use la línea de comandos.",
                  "The file is too large for the web; use the command line."),
    "override_target": ("Elija el nuevo estado.", "Choose the new state."),
    "reason_required": ("Escriba el motivo (al menos 10 caracteres); queda en el registro de auditoría.",
                        "Write the reason (at least 10 characters); it is kept in the audit log."),
    "outcome_required": ("Elija el resultado.", "Choose the outcome."),
    "worker_unknown": ("No hay aportes registrados con este código de trabajador.",
                       "No contributions are recorded under this worker id."),
    # worker
    "meter_title": ("Aportes que cuentan en los últimos 24 meses", "Contributions that count in the last 24 months"),
    "meter_needed": ("aportes necesarios", "contributions needed"),
    "meter_months": ("Meses de la ventana, del más antiguo al más reciente", "Months of the window, oldest first"),
    "of": ("de", "of"),
    "months": ("meses", "months"),
    "counts": ("cuenta", "counts"),
    "declared_unpaid": ("declarado, no pagado", "declared, unpaid"),
    "not_declared": ("sin aporte", "no contribution"),
    "months_by_employer": ("Meses por empleador", "Months by employer"),
    "employer": ("Empleador", "Employer"),
    "paid_by_employer": ("¿Pagó el empleador?", "Paid by the employer?"),
    "if_lost_today": ("Si perdiera mi empleo hoy", "If I lost my job today"),
    "file_claim_intro": ("Presente su solicitud después del cese. Revisaremos sus aportes (art. 7) y el motivo "
                         "del cese (art. 6) con los datos de la planilla y del T-Registro.",
                         "File your claim after the separation. We check your contributions (art. 7) and the "
                         "reason for separation (art. 6) against payroll and T-Registro records."),
    "claim_confirm": ("Declaro que perdí mi empleo sin haberlo decidido y que los datos son verdaderos.",
                      "I declare that I lost my job through no choice of my own and that the data is true."),
    "file_claim_button": ("Presentar solicitud", "File claim"),
    "claim": ("Solicitud", "Claim"),
    "state": ("Estado", "State"),
    "filed_on": ("Presentada el", "Filed on"),
    "decided_on": ("Resuelta el", "Decided on"),
    "decision": ("Resolución", "Decision"),
    "decision_yes": ("Se le otorga la prestación.", "The benefit is granted."),
    "decision_no": ("No se le otorga la prestación.", "The benefit is not granted."),
    "reasons": ("Motivos y artículos", "Reasons and articles"),
    "letter": ("Ver la resolución completa", "See the full decision letter"),
    "payments_next": ("Mis pagos y lo que sigue", "My payments and what comes next"),
    "installment": ("Cuota", "Installment"),
    "paid_so_far": ("Pagado hasta hoy", "Paid so far"),
    "inst_scheduled": ("programada", "scheduled"),
    "inst_due": ("por pagar", "due"),
    "inst_paid": ("pagada", "paid"),
    "inst_withheld": ("retenida (obligaciones)", "withheld (obligations)"),
    "inst_cancelled": ("anulada (reempleo)", "cancelled (re-employment)"),
    "obligations": ("Mis obligaciones con el servicio de empleo", "My obligations with the employment service"),
    "obligations_intro": ("Si no cumple sin causa justificada, el pago se suspende hasta que cumpla (art. 7).",
                          "If you do not comply without just cause, payment is suspended until you do (art. 7)."),
    "obligation": ("Obligación", "Obligation"),
    "outcome_pending": ("pendiente", "pending"),
    "outcome_complied": ("cumplió", "complied"),
    "outcome_not_complied": ("no cumplió", "did not comply"),
    "outcome_upheld": ("fundado", "upheld"),
    "outcome_rejected": ("infundado", "rejected"),
    "outcome_inadmissible": ("improcedente", "inadmissible"),
    "appeals": ("Recursos", "Appeals"),
    "appeal": ("Recurso", "Appeal"),
    "appeal_kind": ("Tipo de recurso", "Kind of appeal"),
    "kind_reconsideracion": ("Reconsideración", "Reconsideration"),
    "kind_apelacion": ("Apelación", "Appeal to a higher authority"),
    "appeal_deadline": ("Plazo para presentar un recurso", "Deadline to file an appeal"),
    "deadline_passed": ("vencido", "passed"),
    "business_days_left": ("días hábiles restantes", "business days left"),
    "business_days_overdue": ("días hábiles de retraso", "business days overdue"),
    "resolution_due": ("Plazo para resolver", "Must be resolved by"),
    "grounds": ("Fundamentos", "Grounds"),
    "file_appeal": ("Presentar recurso", "File appeal"),
    "state_filed": ("presentada", "filed"),
    "state_waiting": ("en período de carencia", "in waiting period"),
    "state_approved": ("aprobada", "approved"),
    "state_denied": ("denegada", "denied"),
    "state_paying": ("en pago", "being paid"),
    "state_suspended": ("suspendida", "suspended"),
    "state_exhausted": ("agotada", "exhausted"),
    "state_closed": ("cerrada", "closed"),
    # employer
    "upload_title": ("Subir la planilla del mes (PLAME)", "Upload the month's payroll (PLAME)"),
    "upload_help": ("Los archivos del mes como los exporta la PLAME (.rem, .snl, .jor) y el T-Registro (.per, "
                    ".tra), uno o varios a la vez; cada línea se valida y los errores y avisos se muestran con su "
                    "número de línea. Un archivo con errores no se registra.",
                    "The month's files as PLAME (.rem, .snl, .jor) and T-Registro (.per, .tra) export them, one "
                    "or several at once; every line is checked and errors and notices are listed by line number. "
                    "A file with errors is not recorded."),
    "plame_file": ("Archivo PLAME (.rem) y los demás del mes: .snl, .jor, .per, .tra (puede elegir varios)",
                   "PLAME file (.rem) and the month's others: .snl, .jor, .per, .tra (several may be chosen)"),
    "upload_progress": ("Avance de la carga", "Upload progress"),
    "upload": ("Subir", "Upload"),
    "import_report": ("Informe de la carga", "Import report"),
    "status_accepted": ("Aceptado: la declaración quedó registrada.", "Accepted: the declaration is recorded."),
    "status_partial": ("Aceptado en parte.", "Partly accepted."),
    "status_rejected": ("Rechazado: corrija las líneas y vuelva a subirlo.", "Rejected: fix the lines and upload again."),
    "status_duplicate": ("Este archivo ya se había cargado; no cambió nada.",
                         "This file was already uploaded; nothing changed."),
    "lines": ("Líneas", "Lines"),
    "accepted_lines": ("Líneas aceptadas", "Accepted lines"),
    "rejected_lines": ("Líneas rechazadas", "Rejected lines"),
    "contribution_due": ("Aporte a pagar (art. 8)", "Contribution due (art. 8)"),
    "line_errors": ("Errores por línea", "Errors by line"),
    "line_notices": ("Avisos: líneas aceptadas que se leyeron así", "Notices: accepted lines, read this way"),
    "status_skipped": ("Archivo que el seguro no necesita: no se leyó.", "A file the insurance does not need: not read."),
    "line": ("Línea", "Line"),
    "field": ("Campo", "Field"),
    "reason": ("Motivo", "Reason"),
    "declared_vs_paid": ("Declarado y pagado por mes", "Declared and paid by month"),
    "workers": ("Trabajadores", "Workers"),
    "declared": ("Declarado", "Declared"),
    "paid": ("Pagado", "Paid"),
    "outstanding": ("Pendiente", "Outstanding"),
    "rectified": ("rectificada", "rectified"),
    "nothing_yet": ("Nada todavía.", "Nothing yet."),
    "arrears": ("Deuda y mora", "Arrears"),
    "arrears_total": ("Deuda total", "Total owed"),
    "interest": ("intereses", "interest"),
    "due_date": ("Vencimiento", "Due date"),
    "months_late": ("Meses de atraso", "Months late"),
    "no_arrears": ("No tiene deuda vencida.", "Nothing overdue."),
    # caseworker
    "all": ("Todos", "All"),
    "min_age_days": ("Antigüedad mínima (días)", "Minimum age (days)"),
    "region": ("Región", "Region"),
    "filter": ("Filtrar", "Filter"),
    "claims": ("Solicitudes", "Claims"),
    "age_days": ("Días", "Days"),
    "days": ("días", "days"),
    "rules_preview": ("Lo que dicen las reglas hoy", "What the rules say today"),
    "decide_with_rules": ("Resolver con las reglas", "Decide with the rules"),
    "override": ("Modificar con motivo", "Override with a reason"),
    "override_help": ("Deniegue o cierre contra el resultado de las reglas solo con un motivo escrito; queda en "
                      "el registro de auditoría con su usuario. Otorgar lo que las reglas niegan se hace "
                      "resolviendo un recurso.",
                      "Deny or close against the rules' outcome only with a written reason; it is kept in the "
                      "audit log with your user. Granting what the rules deny is done by resolving an appeal."),
    "new_state": ("Nuevo estado", "New state"),
    "override_button": ("Modificar", "Override"),
    "trace": ("Trazabilidad", "Trace"),
    "audit_log": ("Registro de auditoría", "Audit log"),
    "when": ("Cuándo", "When"),
    "who": ("Quién", "Who"),
    "action": ("Acción", "Action"),
    "rules_trace": ("Traza completa de las reglas (JSON)", "Full rules trace (JSON)"),
    "outcome": ("Resultado", "Outcome"),
    "resolve": ("Resolver", "Resolve"),
    "run_period": ("Mes del pago", "Payment month"),
    "preview": ("Vista previa", "Preview"),
    "preview_help": ("Calculado sin registrar nada. El botón de abajo ejecuta el pago y descarga el archivo del "
                     "banco.", "Computed without recording anything. The button below runs the payment and "
                     "downloads the bank file."),
    "payments_count": ("Pagos", "Payments"),
    "suspended": ("Suspendidas", "Suspended"),
    "exhausted": ("Agotadas", "Exhausted"),
    "nothing_due": ("No hay cuotas por pagar este mes.", "No installments due this month."),
    "run_and_download": ("Ejecutar el pago y descargar el archivo del banco", "Run the payment and download the bank file"),
    # employment officer
    "officer_intro": ("Beneficiarios con obligaciones: registre cada sesión, derivación o inscripción. Un "
                      "incumplimiento con causa justificada (código) no suspende el pago.",
                      "Beneficiaries with obligations: record each session, referral or registration. "
                      "Non-compliance with a coded just cause does not suspend payment."),
    "overdue": ("vencida", "overdue"),
    "just_cause": ("Causa justificada (si no cumplió)", "Just cause (if not complied)"),
    "no_just_cause": ("Sin causa justificada", "No just cause"),
    "record": ("Registrar", "Record"),
    "placements": ("Colocaciones", "Placements"),
    "start_date": ("Fecha de inicio", "Start date"),
    "record_placement": ("Registrar colocación", "Record placement"),
    "es_registration_h": ("Registrar inscripción en el servicio de empleo (art. 7)",
                          "Record registration with the employment service (art. 7)"),
    "worker_id": ("N.º de asegurado (id del registro)", "Insured worker number (registry id)"),
    "registered_on": ("Fecha de inscripción", "Registration date"),
    "channel": ("Canal", "Channel"),
    "channel_centro_empleo": ("Centro de Empleo", "Employment Centre (Centro de Empleo)"),
    "channel_empleos_peru": ("Empleos Perú", "Empleos Perú platform"),
    "channel_other": ("Otro canal del servicio de empleo", "Other employment-service channel"),
    "es_reference": ("Oficina o referencia (opcional)", "Office or reference (optional)"),
    "record_registration": ("Registrar inscripción", "Record registration"),
    "es_registration": ("Inscripción (art. 7)", "Registration (art. 7)"),
    "es_registered": ("Inscrito(a) desde", "Registered since"),
    "es_not_registered": ("Sin inscripción registrada: inscríbase en un Centro de Empleo o en Empleos Perú",
                          "No registration on record: register at an Employment Centre or on Empleos Perú"),
    # dashboard
    "dashboard_intro": ("Cifras agregadas del fondo y de las prestaciones (art. 2). Sin datos personales: los "
                        "grupos de menos de 5 personas no se publican.",
                        "Aggregate figures of the fund and the benefits (art. 2). No personal data: groups of "
                        "fewer than 5 people are not published."),
    "chart_fund": ("Saldo del fondo", "Fund balance"),
    "chart_reserve_ratio": ("Ratio de reserva", "Reserve ratio"),
    "chart_flows": ("Aportes y prestaciones por mes", "Contributions and benefits by month"),
    "chart_beneficiaries": ("Beneficiarios pagados por mes", "Beneficiaries paid by month"),
    "claims_by_group": ("Solicitudes y aprobaciones por grupo", "Claims and approvals by group"),
    "group": ("Grupo", "Group"),
    "approved": ("Aprobadas", "Approved"),
    "approval_rate": ("Tasa de aprobación", "Approval rate"),
    "chart_reasons": ("Motivos de denegación", "Reasons for denial"),
    "chart_valuation": ("Valuación actuarial: ratio de reserva proyectado", "Actuarial valuation: projected reserve ratio"),
    "fund_balance": ("Saldo del fondo", "Fund balance"),
    "reserve_ratio": ("Ratio de reserva", "Reserve ratio"),
    "reserve_ratio_help": ("Saldo del fondo dividido entre el gasto (prestaciones y administración) de los últimos 12 "
                           "meses.", "Fund balance divided by the spending (benefits and administration) of the "
                           "last 12 months."),
    "collected": ("Cobrado", "Collected"),
    "benefits_paid": ("Prestaciones", "Benefits"),
    "insured": ("Asegurados", "Insured"),
    "beneficiaries": ("Beneficiarios", "Beneficiaries"),
    "average_benefit": ("Pago promedio", "Average payment"),
    "coverage": ("Cobertura", "Coverage"),
    "dim_sex": ("por sexo", "by sex"),
    "dim_age_band": ("por edad", "by age band"),
    "dim_region": ("por región", "by region"),
    "dim_sector": ("por sector", "by sector"),
    "by_state": ("Por estado", "By state"),
    "median_days_to_decision": ("Días hasta la resolución (mediana)", "Days to decision (median)"),
    "reemployment_rate": ("Tasa de reempleo", "Re-employment rate"),
    "show_table": ("Ver la tabla", "Show the table"),
    "download_csv": ("Descargar CSV", "Download CSV"),
    "valuation_title": ("Última valuación actuarial", "Latest actuarial valuation"),
    "valuation_intro": ("Proyección con el método de la OIT (miles de soles).",
                        "Projection by the ILO method (thousands of soles)."),
    "valuation_table": ("Proyección anual", "Yearly projection"),
    "year": ("Año", "Year"),
    "contribution_rate": ("Tasa de aporte", "Contribution rate"),
    "contributions": ("Aportes", "Contributions"),
    "reserve": ("Reserva", "Reserve"),
    "trial_balance": ("Balance de comprobación", "Trial balance"),
    "balanced": ("Cuadra: débitos = créditos.", "Balanced: debits = credits."),
    "unbalanced": ("No cuadra.", "Does not balance."),
    "account": ("Cuenta", "Account"),
    "debit": ("Debe", "Debit"),
    "credit": ("Haber", "Credit"),
    "balance": ("Saldo", "Balance"),
})

_add({
    # issue 29: every projection says its basis; the bases side by side with the reserve target
    "basis": ("Base", "Basis"),
    "basis_books": ("libros del fondo", "fund's own books"),
    "chart_bases": ("Ratio de reserva proyectado según cada base, con la meta de reserva",
                    "Projected reserve ratio by basis, with the reserve target"),
    "bases_intro": ("Las mismas reglas y la misma tasa proyectadas con dos bases: la valuación de la OIT 2021 y la "
                    "microsimulación del mercado laboral. La diferencia se explica en docs/reconciliation.md.",
                    "The same rules and rate projected on two bases: the ILO 2021 valuation and the labour-market "
                    "microsimulation. The difference is explained in docs/reconciliation.md."),
    "reserve_target": ("Meta de reserva", "Reserve target"),
    "reserve_target_help": ("Meta: {months} meses de gasto en prestaciones (parámetro financing.reserve_target_months, "
                            "art. 8) = {years} años.", "Target: {months} months of benefit spending (parameter "
                            "financing.reserve_target_months, art. 8) = {years} years."),
    "rate_for_target": ("Tasa que alcanza la meta (%)", "Rate reaching the target (%)"),
    "reserve_ratio_end": ("Ratio de reserva al final", "Final reserve ratio"),
})


_add({   # issue 25: money controls
    "nav_controls": ("Controles", "Controls"),
    "fund_shortfall_title": ("El fondo no alcanza", "The fund falls short"),
    "fund_shortfall_text": ("El fondo no tiene caja para pagar todo lo debido: se paga primero la cuota más "
                            "antigua, luego la solicitud presentada antes; el resto queda pendiente para el "
                            "próximo pago.",
                            "The fund lacks the cash to pay everything due: the oldest installment is paid "
                            "first, then the claim filed first; the rest stays due for the next run."),
    "fund_available": ("Caja disponible", "Cash available"),
    "fund_shortfall": ("Faltante", "Shortfall"),
    "fund_unpaid": ("Cuotas pendientes", "Installments left due"),
    "fund_alerts": ("Alertas del fondo", "Fund alerts"),
    "awards_held": ("Prestaciones en espera de segunda aprobación", "Awards awaiting a second approval"),
    "controls_title": ("Controles: meses observados y segundas aprobaciones",
                       "Controls: flagged months and second approvals"),
    "review_queue": ("Meses declarados observados", "Flagged declared months"),
    "review_help": ("Un mes observado no cuenta para el requisito de aportaciones (art. 7) hasta que un "
                    "gestor lo acepta.", "A flagged month does not count toward the contributions "
                    "requirement (art. 7) until a caseworker accepts it."),
    "approval_queue": ("Prestaciones que requieren segunda aprobación", "Awards needing a second approval"),
    "approval_help": ("Otro funcionario, distinto de quien decidió, aprueba antes del pago (cuatro ojos).",
                      "A staff member other than the one who decided approves before payment (four eyes)."),
    "worker": ("Trabajador", "Worker"),
    "flag_reasons": ("Motivos", "Reasons"),
    "accept": ("Aceptar", "Accept"),
    "reject": ("Rechazar", "Reject"),
    "approve": ("Aprobar", "Approve"),
    "maker": ("Decidió", "Decided by"),
    "date": ("Fecha", "Date"),
})


def text(key: str, lang: str) -> str:
    entry = TEXTS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry[DEFAULT_LANGUAGE]


def soles(cents: int | None) -> str:
    """``123456`` → ``S/ 1,234.56`` (the format the project uses everywhere people read money)."""
    return "—" if cents is None else format_soles(int(cents))


_add({
    # employer sizes (issue 25: an employer's own size is pending until staff review it)
    "nav_sizes": ("Tamaños de empresa por revisar", "Employer sizes to review"),
    "sizes_intro": ("Un empleador no fija su propio tamaño: lo que declara queda pendiente hasta que otra persona "
                    "del personal lo revise. El tamaño decide si sus meses se cobran y cuentan como aportaciones "
                    "(art. 3 y Segunda disposición final).",
                    "An employer does not set its own size: what it declares is pending until another staff "
                    "member reviews it. The size decides whether its months are charged and count as "
                    "contributions (art. 3 and the second final provision)."),
    "sizes_pending": ("declaraciones pendientes", "pending declarations"),
    "employer_name": ("Empleador", "Employer"),
    "size_in_force": ("Tamaño vigente", "Size in force"),
    "size_declared": ("Tamaño declarado", "Declared size"),
    "size_from": ("Desde", "From"),
    "size_review": ("Revisión", "Review"),
    "size_accept": ("Aceptar", "Accept"),
    "size_reject": ("Rechazar", "Reject"),
    "size_decision_required": ("Elija aceptar o rechazar.", "Choose accept or reject."),
    "size_not_found": ("No existe esa declaración de tamaño.", "No such size declaration."),
    "size_four_eyes": ("Quien registró la declaración no puede aprobarla: debe revisarla otra persona.",
                       "Whoever recorded the declaration cannot approve it: another person must review it."),
    "size_already_reviewed": ("Esa declaración ya fue revisada.", "That declaration was already reviewed."),
    "size_micro": ("Microempresa", "Micro enterprise"),
    "size_small": ("Pequeña empresa", "Small enterprise"),
    "size_medium": ("Mediana empresa", "Medium enterprise"),
    "size_large": ("Gran empresa", "Large enterprise"),
})


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
_add({
    "gov_title": ("Directorio del fondo", "Board of the fund"),
    "nav_governance": ("Gobierno del fondo", "Fund governance"),
    "gov_new_proposal": ("Nueva propuesta", "New proposal"),
    "gov_instruments": ("Instrumentos normativos", "Legal instruments"),
    "gov_instruments_intro": ("Cada cambio de un parámetro entra por un instrumento fechado; los valores que fija "
                              "la ley (1,16 %, 12 de 24 meses, 70 %…50 %) solo cambian por Ley.",
                              "Every change of a parameter enters by a dated instrument; the values the law "
                              "fixes (1.16 %, 12 in 24 months, 70 %…50 %) change only by a Ley."),
    "gov_statements": ("Estados financieros del fondo", "Financial statements of the fund"),
    "gov_study": ("Estudio de experiencia (art. 10)", "Experience study (art. 10)"),
    "gov_study_intro": ("Cifras del propio fondo (sus libros y registros) por año, sexo y sector; alimentan el "
                        "conjunto de supuestos experience-AAAA de la valuación.",
                        "The fund's own figures (its books and records) by year, sex and sector; they feed "
                        "the valuation's experience-YYYY assumption set."),
    "gov_position": ("Reserva frente a su meta (art. 8)", "Reserve against its target (art. 8)"),
    "gov_basis_books": ("Base: los libros del propio fondo (no la proyección nacional OIT 2021).",
                        "Basis: the fund's own books (not the ILO 2021 national projection)."),
    "gov_net_assets": ("Activos netos del fondo", "Net assets of the fund"),
    "gov_benefits_12m": ("Prestaciones de los últimos 12 meses", "Benefits of the last 12 months"),
    "gov_ratio": ("Reserva en meses de prestaciones", "Reserve in months of benefits"),
    "gov_months": ("meses", "months"),
    "gov_target": ("meta", "target"),
    "gov_cash": ("Caja disponible", "Cash available"),
    "gov_next_study": ("Próximo estudio (art. 10, cada dos años)", "Next study (art. 10, every two years)"),
    "gov_overdue": ("vencido", "overdue"),
    "gov_probability": ("Probabilidad de agotamiento (valuación estocástica, 0-1)",
                        "Depletion probability (stochastic valuation, 0-1)"),
    "gov_check_triggers": ("Revisar alertas", "Check alerts"),
    "gov_alerts": ("Alertas al directorio", "Board alerts"),
    "gov_no_alerts": ("Sin alertas.", "No alerts."),
    "gov_proposals": ("Propuestas", "Proposals"),
    "gov_no_proposals": ("Sin propuestas.", "No proposals."),
    "gov_proposal": ("Propuesta", "Proposal"),
    "gov_kind": ("Tipo", "Kind"),
    "gov_proposal_title": ("Título", "Title"),
    "gov_status": ("Estado", "Status"),
    "gov_status_open": ("En votación", "Open for vote"),
    "gov_status_approved": ("Aprobada", "Approved"),
    "gov_status_rejected": ("No aprobada", "Not approved"),
    "gov_summary": ("Sustento", "Grounds"),
    "gov_values": ("Valores (nombre=valor, uno por línea)", "Values (name=value, one a line)"),
    "gov_effective": ("Vigencia desde", "Effective from"),
    "gov_transfer": ("Aporte no contributivo (art. 9)", "Non-contributory transfer (art. 9)"),
    "gov_document": ("Documento", "Document"),
    "gov_document_link": ("Enlace del documento", "Document link"),
    "gov_submit_proposal": ("Presentar la propuesta", "Submit the proposal"),
    "gov_valuation": ("Valuación que la sustenta (art. 8)", "Supporting valuation (art. 8)"),
    "gov_reserve_ratio_last": ("reserva/gasto en", "reserve/spending in"),
    "gov_votes": ("Votación del directorio (art. 12)", "Board vote (art. 12)"),
    "gov_sector": ("Sector", "Sector"),
    "gov_member": ("Código del director(a)", "Director's code"),
    "gov_vote": ("Voto", "Vote"),
    "gov_cast_vote": ("Registrar el voto", "Record the vote"),
    "gov_close_vote": ("Cerrar la votación", "Close the vote"),
    "gov_instrument": ("Instrumento", "Instrument"),
    "gov_see_parameters": ("Ver los parámetros", "See the parameters"),
    "gov_back": ("Volver al directorio", "Back to the board"),
    "gov_add_instrument": ("Registrar un instrumento", "Record an instrument"),
    "gov_instrument_type": ("Tipo de instrumento", "Type of instrument"),
    "gov_number": ("Número", "Number"),
    "gov_issued_on": ("Fecha del instrumento", "Date of the instrument"),
    "gov_publication": ("Publicación", "Publication"),
    "gov_approved_by": ("Aprobado por", "Approved by"),
    "gov_record": ("Registrar", "Record"),
    "gov_period": ("Período", "Period"),
    "gov_show": ("Mostrar", "Show"),
    "gov_download_pdf": ("Descargar PDF", "Download PDF"),
    # The statements' own words (balance sheet, income statement): reports/statements.py LABELS.
    "gov_run_study": ("Realizar el estudio", "Run the study"),
    "gov_covered": ("Asegurados cubiertos", "Covered workers"),
    "gov_insurable_pay": ("Remuneración asegurable", "Insurable pay"),
    "gov_declared": ("Aportes declarados", "Contributions declared"),
    "gov_collected": ("Aportes cobrados", "Contributions collected"),
    "gov_claims": ("Solicitudes", "Claims"),
    "gov_eligible": ("elegibles", "eligible"),
    "gov_denied": ("denegadas", "denied"),
    "gov_avg_benefit": ("Prestación mensual promedio", "Average monthly benefit"),
    "gov_avg_duration": ("Duración promedio (meses pagados)", "Average duration (months paid)"),
    "gov_recoveries": ("Recuperos", "Recoveries"),
    "gov_params_intro": ("Cada valor con su historia: desde qué fecha y por qué instrumento (o el texto de la ley).",
                         "Each value with its history: from which date and by which instrument (or the law's text)."),
    "gov_params_baseline_only": ("No se pudo leer la base de datos: se muestran los valores del texto de la ley.",
                                 "The database could not be read: the law's text values are shown."),
    "gov_fixed_by_law": ("Fijado por la ley: solo cambia por Ley", "Fixed by the law: changes only by a Ley"),
    "gov_history": ("Historia", "History"),
    "gov_from": ("Desde", "From"),
})


_add({
    # issue 25: a database busy with another write is not "not ready"
    "database_busy": ("La base de datos está ocupada con otro cambio. Inténtelo de nuevo en unos segundos.",
                      "The database is busy with another change. Please try again in a few seconds."),
})


# Sign-in (issue 27): appended as one block so parallel edits above do not collide.
TEXTS.update({
    "signin_title": {"es": "Ingresar con su cuenta", "en": "Sign in with your account"},
    "username": {"es": "Usuario", "en": "User name"},
    "password": {"es": "Contraseña", "en": "Password"},
    "totp_code": {"es": "Código de verificación (app de autenticación) o código de recuperación",
                  "en": "Verification code (authenticator app) or recovery code"},
    "totp_hint": {"es": "Obligatorio para el personal de la institución.", "en": "Required for staff."},
    "signin": {"es": "Entrar", "en": "Sign in"},
    "signin_oidc": {"es": "Ingresar con su identidad digital (OpenID Connect)",
                    "en": "Sign in with your digital identity (OpenID Connect)"},
    "demo_login_title": {"es": "Ingreso de demostración", "en": "Demo log-in"},
    "demo_banner": {"es": "DEMOSTRACIÓN: el ingreso por rol sin contraseña está activo. No use datos reales.",
                    "en": "DEMO: log-in by role without a password is on. Do not use real data."},
    "signin_failed": {"es": "Usuario, contraseña o código incorrectos.", "en": "Wrong user name, password or code."},
    "signin_locked": {"es": "La cuenta está bloqueada por demasiados intentos fallidos. Intente más tarde o "
                               "pida ayuda a un administrador.",
                      "en": "The account is locked after too many failed attempts. Try later or ask an "
                            "administrator."},
    "signin_throttled": {"es": "Demasiados intentos fallidos desde esta dirección. Espere unos minutos.",
                         "en": "Too many failed attempts from this address. Wait a few minutes."},
    "demo_disabled": {"es": "El ingreso de demostración está desactivado en esta base de datos.",
                      "en": "The demo log-in is off for this database."},
    "demo_no_account": {"es": "El ingreso de demostración entra con las cuentas de la demostración, y esta "
                              "base de datos no las tiene. Ingrese con su usuario.",
                        "en": "The demo log-in signs in as the demo's accounts, and this database has none. "
                              "Sign in with your user name."},
})


# ------------------------------------------------------------------ issue 30: Spanish throughout

_add({
    "cat_sex_M": ("hombres", "men"), "cat_sex_F": ("mujeres", "women"),
    "cat_sector_private": ("privado", "private"), "cat_sector_public": ("público", "public"),
    "field_pay": ("Remuneración mensual", "Monthly pay"), "field_months": ("Meses aportados", "Months contributed"),
    "field_separation_date": ("Fecha de cese", "Separation date"), "field_claim_date": ("Fecha de solicitud",
                                                                                      "Claim date"),
    "field_cause": ("Motivo de cese", "Reason for separation"), "field_size": ("Tamaño de la empresa",
                                                                              "Employer size"),
    "invalid_value": ("valor no válido", "invalid value"),
    "my_open_claim": ("Mi solicitud en curso", "My open claim"),
    "next_payment": ("Próximo pago", "Next payment"),
    "page_not_found": ("Página no encontrada", "Page not found"),
    "page_not_found_help": ("La dirección no corresponde a ninguna página. Vuelva al inicio.",
                            "This address is not a page. Go back to the start."),
    "method_not_allowed": ("Acción no disponible", "Action not available"),
    "method_not_allowed_help": ("Esta dirección no se abre así (por ejemplo, para salir use el botón «Salir»).",
                                "This address cannot be opened this way (to log out, use the «Log out» button)."),
})

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
_add({
    "cat_size_micro": ("micro", "micro"), "cat_size_small": ("pequeña", "small"),
    "cat_size_medium": ("mediana", "medium"), "cat_size_large": ("grande", "large"),
    "cat_governing_date_contingency": ("fecha del cese (contingencia)", "separation date (contingency)"),
    "cat_governing_date_claim": ("fecha de la solicitud", "claim date"),
})


# ------------------------------------------------------------------ wave-x: months for people in any text
def months_in(value: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """Every ``YYYY-MM`` month inside a text for people (``periods.months_in_text``)."""
    from seguro_desempleo.periods import months_in_text

    return months_in_text(value, "es" if lang == "es" else "en")
