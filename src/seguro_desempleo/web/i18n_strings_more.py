"""Texts of the web pages, English and Spanish, as data (issue 24: moved out of :mod:`.i18n`,
unchanged); :mod:`.i18n` adds them to its table in the order it always did."""

from __future__ import annotations

STRINGS_03: dict[str, tuple[str, str]] = {   # issue 25: money controls
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
}

STRINGS_04: dict[str, tuple[str, str]] = {
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
}

STRINGS_05: dict[str, tuple[str, str]] = {
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
}

STRINGS_06: dict[str, tuple[str, str]] = {
    # issue 25: a database busy with another write is not "not ready"
    "database_busy": ("La base de datos está ocupada con otro cambio. Inténtelo de nuevo en unos segundos.",
                      "The database is busy with another change. Please try again in a few seconds."),
}

STRINGS_07: dict[str, dict[str, str]] = {
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
}

STRINGS_08: dict[str, tuple[str, str]] = {
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
}

STRINGS_09: dict[str, tuple[str, str]] = {
    "cat_size_micro": ("micro", "micro"), "cat_size_small": ("pequeña", "small"),
    "cat_size_medium": ("mediana", "medium"), "cat_size_large": ("grande", "large"),
    "cat_governing_date_contingency": ("fecha del cese (contingencia)", "separation date (contingency)"),
    "cat_governing_date_claim": ("fecha de la solicitud", "claim date"),
}
