"""The import structure, read from the source: no cycles, and data flows one way through the layers.

Every ``import`` counts, at module level or inside a function (a deferred import is still a
dependency). A module may import modules of its own layer or of lower ones, never higher ones.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("kg", "flows", "ontology")
# Lowest first. A name is a module or a package (then every module below it).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("kg", "kg.models", "kg.errors", "kg.config", "kg.cache", "kg.privacy", "kg.ledger"),
    ("kg.sources", "ontology", "kg.graph.schema"),  # the schema whitelist is read by curation too
    ("kg.doc", "kg.text"),
    ("kg.vocab", "kg.curation"),  # curation spells concept ids as kg.vocab.curie does
    ("kg.extract",),
    ("kg.link",),
    ("kg.relate",),
    ("kg.assemble",),
    ("kg.graph",),
    ("kg.pipeline",),
    ("kg.components",),
    ("kg.evaluate", "kg.train", "kg.reason", "kg.curator"),
    ("flows",),
    ("kg.cli",),  # the front door: `medkg serve` starts the flows' deployments
)


def modules() -> dict[str, Path]:
    found = {}
    for pkg in PACKAGES:
        for f in (ROOT / pkg).rglob("*.py"):
            name = ".".join(f.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = f
    return found


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imports(known: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the project modules it imports (``from pkg import mod`` counts as importing ``pkg.mod``)."""
    edges: dict[str, set[str]] = {m: set() for m in known}
    for module, path in known.items():
        base = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = base.split(".")
                    prefix = ".".join(parts[: len(parts) - (node.level - 1)])
                    source = f"{prefix}.{node.module}" if node.module else prefix
                else:
                    source = node.module or ""
                targets = [f"{source}.{a.name}" for a in node.names]
            else:
                continue
            for target in targets:
                resolved = _resolve(target, known)
                if resolved and resolved != module and not module.startswith(resolved + "."):
                    edges[module].add(resolved)
    return edges


def layer(module: str) -> int:
    best = None
    for i, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and (best is None or len(name) > len(best[1])):
                best = (i, name)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best[0]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return imports(modules())


def test_no_import_cycles(graph):
    assert cycles(graph) == []


def test_every_import_goes_to_the_same_layer_or_below(graph):
    upward = sorted(f"{m} (layer {layer(m)}) imports {t} (layer {layer(t)})"
                    for m, targets in graph.items() for t in targets if layer(t) > layer(m))
    assert upward == []


def test_the_checks_can_fail():
    edges = {"kg.a": {"kg.b"}, "kg.b": {"kg.c"}, "kg.c": {"kg.a"}, "kg.d": set()}
    assert cycles(edges) == [["kg.a", "kg.b", "kg.c"]]
    assert layer("kg.graph.base") > layer("kg.assemble") > layer("kg.vocab.lexicon")
    known = {"kg": ROOT / "kg" / "__init__.py", "kg.graph": ROOT / "kg" / "graph" / "__init__.py",
             "kg.graph.cypher": ROOT / "kg" / "graph" / "cypher.py"}
    assert _resolve("kg.graph.cypher.UPSERT_DOCUMENTS", known) == "kg.graph.cypher"
