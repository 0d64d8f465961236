"""SUNAT Planilla Electrónica code tables (Anexo 2): kept in :mod:`seguro_desempleo.domain.codes`
(the evaluation service checks a case's codes without importing ``formats/``; decision 0806),
re-exported here for the readers."""

from __future__ import annotations

from seguro_desempleo.domain.codes import (
    EMPLOYER_FLAGGED_CONCEPTS,
    TABLES_DIR,
    Code,
    contract_types,
    document_types,
    insurable_concepts,
    remuneration_concepts,
    table,
    termination_causes,
)

__all__ = ["EMPLOYER_FLAGGED_CONCEPTS", "TABLES_DIR", "Code", "contract_types", "document_types",
           "insurable_concepts", "remuneration_concepts", "table", "termination_causes"]
