"""No SQL is built by string formatting anywhere in src/ (issues 24 and 25).

A stored worker reference ``٥٢٧`` pasted into an f-string SQL took three pages down; values go
to the database as bound parameters. Since issue 24 the rule covers every SQL text, not only the
argument of ``execute``: a statement is a literal (written out; a fragment that must read the same
everywhere is held to its constant by a test, ``tests/storage/test_sql_literals.py``) or a
SQLAlchemy Core construct. This test parses every module outside the Alembic revisions and fails
on each way of assembling SQL text:

- an f-string with a replacement field whose text is SQL, or that interpolates a SQL constant;
- ``%`` applied to SQL text, ``"….format(…)"`` of SQL text;
- ``+`` joining SQL text (or a SQL constant) to something that is not a literal;
- ``.join`` or ``.replace`` on SQL text or a SQL constant, or with SQL text as an argument.

"SQL text" is a string with an upper-case SQL word (``SELECT``, ``FROM``, ``WHERE``, ``IN``, …);
a "SQL constant" is a module-level name bound to such a literal anywhere in src/.

Allow-listed (explicitly, by function, with the reason; an entry no longer needed fails too):
statements whose interpolated parts are identifiers (table, column, sequence and constraint
names cannot be bound) or the driver's placeholder mark, every value bound.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "seguro_desempleo"
EXCLUDED_DIRS = {
    "storage/migrations/versions": "Alembic DDL: trigger, table and index names are constants of the revision",
}
SQL_WORD = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|VALUES|JOIN|COPY|CREATE|DROP|ALTER|TRUNCATE|LOCK|GROUP BY|"
    r"ORDER BY|RETURNING|CASE|WHEN|THEN|ELSE|END|SET|AND|OR|IN|NOT|EXISTS|LIMIT|UNION|WITH|NULL|AS|ON|"
    r"BETWEEN|LIKE|IS)\b")

ALLOWED: dict[tuple[str, str], str] = {
    # (path relative to src/seguro_desempleo, enclosing function) -> why no value reaches the text.
    # The payroll import's bulk SQL (decision 0803): the interpolated parts are the import's fixed
    # table names, its own constants, integers it computed or placeholders; every value is bound.
    ("storage/payroll_bulk.py", "_stage"): "a constant staging-table name and its constant column DDL",
    ("storage/payroll_bulk.py", "_next_ids"): "LOCK TABLE on the import's fixed table name (no Core construct for it)",
    ("storage/payroll_bulk.py", "_copy_frame"): "COPY/INSERT into the import's table with its frame's column names",
    ("storage/payroll_bulk.py", "_start_bulk"): "LOCK TABLE and DROP CONSTRAINT on the module's tables and the "
                                               "catalogue's quoted constraint names",
    ("storage/payroll_bulk.py", "_preload_keys"): "the registry table's fixed name and key expression; ids bound",
    ("storage/payroll_sink.py", "_known_hashes"): "the driver's placeholder marks, one per hash; hashes bound",
    ("storage/payroll_sink.py", "_supersede"): "the driver's placeholder mark; ids bound",
    ("storage/payroll_sink.py", "_claim_ids"): "setval of the table's own sequence to an id the import computed",
    ("storage/payroll_sink.py", "_look_up"): "COPY of a join on the staging table and the fixed key columns",
    ("storage/payroll_sink.py", "_write_contributions"): "binary COPY into contribution with the frame's fixed columns",
    ("storage/payroll_sink.py", "_check_references"): "the driver's placeholder mark; the first id bound",
    ("storage/sqlite_bulk.py", "insert"):
        "column expressions from the frame's field widths and the caller's constant table name; data bound",
}


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def sql_constants(root: Path = SRC) -> set[str]:
    """Module-level names bound to a SQL literal anywhere under *root* (``_HEAD = "SELECT …"``)."""
    names: set[str] = set()
    for path in _modules(root):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                text = _literal(node.value)
                if text is not None and SQL_WORD.search(text):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _is_sql(node: ast.AST, constants: set[str]) -> bool:
    """A literal with a SQL word, or a name bound to one."""
    text = _literal(node)
    return bool(SQL_WORD.search(text)) if text is not None else _name(node) in constants


def builds_sql(node: ast.AST, constants: set[str]) -> bool:
    """*node* assembles SQL text at run time (see the module's list)."""
    if isinstance(node, ast.JoinedStr):
        fields = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
        return bool(fields) and (any(_is_sql(v, constants) for v in node.values if isinstance(v, ast.Constant))
                                 or any(_is_sql(f, constants) for f in fields))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _is_sql(node.left, constants) or (isinstance(node.left, ast.JoinedStr)
                                                 and any(_is_sql(v, constants) for v in node.left.values))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        sides = (node.left, node.right)
        return any(_is_sql(s, constants) for s in sides) and not all(_literal(s) is not None for s in sides)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        method, receiver = node.func.attr, node.func.value
        if method == "format":
            return _is_sql(receiver, constants) and _literal(receiver) is not None
        if method in ("join", "replace"):
            return _is_sql(receiver, constants) or any(_literal(a) is not None and _is_sql(a, constants)
                                                       for a in node.args)
    return False


def _modules(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if not any(rel.startswith(d + "/") for d in EXCLUDED_DIRS):
            yield path


def _scopes(tree: ast.Module) -> Iterator[tuple[str, list[ast.AST]]]:
    """(function name or ``<module>``, the nodes of that scope outside its nested functions)."""
    for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))]:
        own: list[ast.AST] = []
        todo = list(ast.iter_child_nodes(scope))
        while todo:
            node = todo.pop()
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            own.append(node)
            todo.extend(ast.iter_child_nodes(node))
        yield getattr(scope, "name", "<module>"), own


def scan(root: Path = SRC) -> list[tuple[str, str, int, str]]:
    """Every place under *root* that assembles SQL text: (path, function, line, source)."""
    constants = sql_constants(root)
    found = []
    for path in _modules(root):
        rel = path.relative_to(root).as_posix()
        source = path.read_text(encoding="utf-8")
        for name, nodes in _scopes(ast.parse(source, filename=str(path))):
            lines = sorted({n.lineno for n in nodes if builds_sql(n, constants)})   # type: ignore[attr-defined]
            found.extend((rel, name, line, source.splitlines()[line - 1].strip()[:100]) for line in lines)
    return found


def offenders(root: Path = SRC) -> list[str]:
    return [f"{rel}:{line} ({name}): {src}" for rel, name, line, src in scan(root) if (rel, name) not in ALLOWED]


def test_no_sql_built_by_string_formatting() -> None:
    bad = offenders()
    assert not bad, ("SQL assembled from strings (write the statement out, use a SQLAlchemy Core construct, "
                     "bind the values):\n" + "\n".join(bad))


def test_every_allowance_is_still_needed() -> None:
    used = {(rel, name) for rel, name, _, _ in scan()}
    stale = sorted(set(ALLOWED) - used)
    assert not stale, f"allow-list entries no longer needed (remove them): {stale}"


def test_the_scanner_catches_each_form(tmp_path: Path) -> None:
    """Each way of assembling SQL is caught, wherever it is (not only inside ``execute``), and the
    literal and bound forms pass."""
    (tmp_path / "m.py").write_text(
        '_HEAD = "SELECT seq FROM audit_log"\n'                            # 1  a SQL constant (fine)
        "def f(s, x, cols):\n"                                             # 2
        "    q = f'SELECT * FROM w WHERE id IN ({x})'\n"                   # 3  f-string, a value
        "    q = f'{_HEAD}; {x}'\n"                                        # 4  f-string of a SQL constant
        "    q = 'SELECT %s FROM w' % x\n"                                 # 5  %
        "    q = 'SELECT {} FROM w'.format(x)\n"                           # 6  .format
        "    q = 'SELECT * FROM w WHERE id = ' + x\n"                      # 7  +
        "    q = _HEAD + x\n"                                              # 8  + on a SQL constant
        "    q = ' OR '.join(cols)\n"                                      # 9  .join of SQL words
        "    q = _HEAD.replace('seq', x)\n"                                # 10 .replace on a SQL constant
        "    q = 'x'.replace('{on}', 'AND p.end_date <= :d')\n"            # 11 .replace with SQL text
        "    s.execute(text(f'DELETE FROM t WHERE k = {x}'))\n"            # 12 inside execute
        "    s.execute(text('SELECT :x'), {'x': x})\n"                     # 13 bound: fine
        "    q = ('SELECT a FROM w '\n"                                    # 14 implicit concatenation: fine
        "         'WHERE a = :a')\n"                                       # 15
        "    q = f'no worker with id {x}'\n"                               # 16 a message: fine
        "    q = ', '.join(cols)\n"                                        # 17 a list of names: fine
        "    q = 'SELECT 1 ' + 'FROM w'\n"                                 # 18 two literals: fine
        "    return q\n", encoding="utf-8")
    got = sorted(line for _, _, line, _ in scan(tmp_path))
    assert got == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]


def test_the_scanner_sees_module_level_and_nested_code(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        "ACTIVE = \"d.status = 'active'\"\n"
        "WHERE = 'WHERE x = 1'\n"
        "Q = f\"SELECT * FROM d {WHERE}\"\n"                               # 3 module level
        "def outer(x):\n"
        "    def inner():\n"
        "        return f\"DELETE FROM w WHERE id = {x}\"\n"               # 6 nested function
        "    return inner\n", encoding="utf-8")
    assert [(name, line) for _, name, line, _ in scan(tmp_path)] == [("<module>", 3), ("inner", 6)]
