"""seguro_desempleo: Peru's unemployment insurance (Proyecto de Ley 5510/2022-CR) end to end.

Layers (imports point inward only): entry points (cli/, api/, web/) and adapters (storage/,
formats/, payments/, employment_service/, reports/) over services/, over the engines
(actuarial/, simulation/), over the law (rules/ over parameters/), over domain/.
"""

__version__ = "0.1.0"
