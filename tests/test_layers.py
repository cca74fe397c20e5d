"""Dependencies point one way: nlp ← store, domain, wechat ← handlers ← runtime ← web, workers ← cli.

Every module is parsed with `ast`; an import of a higher layer, a cycle between modules, or an import of our own
code inside a function fails the test, naming the file and line."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "nlp", "workers")
# Longest prefix wins. Modules of one layer may import each other, as long as no cycle forms.
LAYERS = {
    "nlp": 0,
    "bot": 1, "bot.settings": 1, "bot.errors": 1, "bot.store": 1, "bot.domain": 1, "bot.wechat": 1,
    "handlers": 2,
    "bot.runtime": 3,
    "bot.web": 4, "workers": 4,
    "bot.cli": 5,
}
# nlp/ loads its models lazily (`import nlp` stays light, tests/test_nlp.py), so its functions may import nlp.
LAZY_INSIDE = ("nlp",)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def layer(module: str) -> int:
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in LAYERS:
            return LAYERS[".".join(parts[:end])]
    raise AssertionError(f"{module}: in no layer of tests/test_layers.py")


def imported(module: str, path: Path, node: ast.Import | ast.ImportFrom, known: dict[str, Path]) -> set[str]:
    """The project modules one import statement loads."""
    if isinstance(node, ast.Import):
        names = {alias.name for alias in node.names}
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
            package = package[:len(package) - node.level + 1]
            base = ".".join(package + ([base] if base else []))
        names = {base} | {f"{base}.{alias.name}" for alias in node.names}
    targets = set()
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != module and not module.startswith(name + "."):
            targets.add(name)
    return targets


def imports(known: dict[str, Path]) -> list[tuple[str, str, int, bool]]:
    """(importer, imported, line, inside a function) for every import of our own code."""
    found = []
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

        def walk(node: ast.AST, inside: bool) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.Import, ast.ImportFrom)):
                    for target in imported(module, path, child, known):
                        found.append((module, target, child.lineno, inside))
                walk(child, inside or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

        walk(tree, False)
    return found


def where(known: dict[str, Path], module: str, line: int) -> str:
    return f"{known[module].relative_to(ROOT)}:{line}"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_a_layer_above_its_own():
    known = modules()
    upward = [f"{where(known, a, line)}: {a} (layer {layer(a)}) imports {b} (layer {layer(b)})"
              for a, b, line, _ in imports(known) if layer(b) > layer(a)]
    assert not upward, "imports against the layers' direction:\n" + "\n".join(upward)


def test_no_import_of_our_own_code_inside_a_function():
    known = modules()
    inside = [f"{where(known, a, line)}: {a} imports {b} inside a function"
              for a, b, line, inner in imports(known) if inner and not a.startswith(LAZY_INSIDE)]
    assert not inside, "imports inside functions (move them to the top; a cycle means a boundary is wrong):\n" + \
        "\n".join(inside)


def test_no_cycle_between_modules():
    known = modules()
    graph: dict[str, set[str]] = {}
    lines: dict[tuple[str, str], int] = {}
    for a, b, line, _ in imports(known):
        graph.setdefault(a, set()).add(b)
        lines.setdefault((a, b), line)
    found = cycles(graph)
    described = []
    for component in found:
        edges = [f"{where(known, a, lines[a, b])}: {a} imports {b}"
                 for a in component for b in sorted(graph[a]) if b in component]
        described.append("cycle " + " ↔ ".join(component) + ":\n  " + "\n  ".join(edges))
    assert not found, "\n".join(described)


def test_the_check_sees_an_upward_import(tmp_path):
    """The graph is built from real imports: handlers importing the web layer would be caught."""
    known = {"handlers.x": tmp_path / "x.py", "bot.web.app": tmp_path / "app.py"}
    known["handlers.x"].write_text("def f():\n    from bot.web import app\n", encoding="utf-8")
    known["bot.web.app"].write_text("", encoding="utf-8")
    node = ast.parse(known["handlers.x"].read_text()).body[0].body[0]
    assert imported("handlers.x", known["handlers.x"], node, known) == {"bot.web.app"}
    assert layer("bot.web.app") > layer("handlers.x")


# The language rules live in nlp/phrases.py. These two parse staff commands (接单 100017, 代报：…), not language.
COMMAND_PARSERS = ("handlers/staff_commands.py", "handlers/entered.py")
_RE_CALLS = {"compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split"}


def chinese_patterns(source: str) -> list[int]:
    """The lines where a regular expression is built from words containing Chinese characters."""
    tree = ast.parse(source)
    constants = {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                 for target in node.targets if isinstance(target, ast.Name)}

    def text_of(node: ast.AST, depth: int = 0) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name) and node.id in constants and depth < 5:
            return text_of(constants[node.id], depth + 1)
        if isinstance(node, ast.JoinedStr):
            return "".join(text_of(part.value if isinstance(part, ast.FormattedValue) else part, depth + 1)
                           for part in node.values)
        if isinstance(node, ast.BinOp):
            return text_of(node.left, depth + 1) + text_of(node.right, depth + 1)
        return ""

    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _RE_CALLS
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and node.args
            and any("\u4e00" <= char <= "\u9fff" for char in text_of(node.args[0]))]


def test_no_handler_holds_a_language_rule_of_its_own():
    found = [f"{path.relative_to(ROOT)}:{line}" for path in sorted((ROOT / "handlers").glob("*.py"))
             if str(path.relative_to(ROOT)) not in COMMAND_PARSERS
             for line in chinese_patterns(path.read_text(encoding="utf-8"))]
    assert not found, "regular expressions over Chinese words in handlers/ (move them to nlp/phrases.py):\n" + \
        "\n".join(found)


def test_the_check_sees_a_chinese_pattern_however_it_is_built():
    source = ('import re\n_WORDS = r"报修|投诉"\nA = re.compile(r"^\\s*好的")\nB = re.compile(rf"{_WORDS}$")\n'
              'C = re.search("x" + _WORDS, "y")\nD = re.compile(r"\\d{6}")\n')
    assert chinese_patterns(source) == [3, 4, 5]
