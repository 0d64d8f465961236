"""Claims: the insurance at work (issue 5), independent of the storage layer.

Modules: :mod:`calendar` (Peruvian business days), :mod:`state` (claim state machine),
:mod:`decision` (stored decision payload and the resolución letter), :mod:`appeals` (Ley 27444
deadlines), :mod:`audit` (hash-chained audit records), :mod:`service` (the use cases, written
against the Protocols of :mod:`ports`) and :mod:`memory` (in-memory implementations for tests).
"""
