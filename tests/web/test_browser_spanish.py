"""Spanish throughout, in chromium (issue 30): every page of every role, as the browser shows it,
holds none of the English words that used to leak (the list in tests/faces/test_spanish_pages.py).
The rules' trace (``<pre>``), parameter identifiers (``<code>``) and the audit table are records
kept as written and are left out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.faces.test_spanish_pages import LEAKS
from tests.web.conftest import LiveServer, login, seeded_app
from tests.web.seed import RUC_A, Seeded

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SPOKEN = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('pre, code, script, style').forEach(e => e.remove());
  body.querySelectorAll('table').forEach(t => {
    const c = t.querySelector('caption');
    if (c && c.textContent.trim() === 'Registro de auditoría') t.remove();
  });
  return body.innerText;
}"""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Seeded]]:
    app, seeded = seeded_app(tmp_path_factory.mktemp("spanishdb"))
    with LiveServer(app) as server:
        yield server, seeded


def _leaks(page: Any) -> list[str]:
    text = page.evaluate(SPOKEN)
    return [w for w in LEAKS if re.search(r"(?<![\w.])" + re.escape(w) + r"(?![\w.])", text)]


def test_every_page_in_spanish_in_the_browser(page: Any, world: tuple[LiveServer, Seeded]) -> None:
    server, seeded = world
    base = server.url
    visits: list[tuple[tuple[str, str] | None, list[str]]] = [
        (None, ["/", "/estimar", "/parametros", "/transparencia", "/ingresar", "/no-existe", "/salir"]),
        (("Trabajador(a)", str(seeded.workers[1])), ["/trabajador", "/trabajador/reclamos", "/trabajador/solicitud"]),
        (("Gestor(a) de casos", ""), ["/gestion", f"/gestion/casos/{seeded.claim_paying}",
                                      f"/gestion/casos/{seeded.claim_denied}", "/gestion/recursos",
                                      "/gestion/pagos"]),
        (("Servicio de empleo", ""), ["/empleo"]),
        (("Directorio", ""), ["/tablero"]),
        (("Empleador", RUC_A), ["/empleador"]),
    ]
    found = []
    for who, paths in visits:
        page.context.clear_cookies()
        if who is not None:
            login(page, base, *who)
        for path in paths:
            page.goto(base + path)
            page.wait_for_load_state()
            assert page.evaluate("document.documentElement.lang").startswith("es"), path
            found += [f"{path}: {w}" for w in _leaks(page)]
    assert found == []
