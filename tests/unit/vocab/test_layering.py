"""kg.vocab sits below extraction and linking: it imports none of their packages."""

from __future__ import annotations

import ast
from pathlib import Path

import kg.vocab

ALLOWED = ("kg.models", "kg.errors", "kg.config", "kg.corpora", "kg.sources.pubtator", "kg.cache", "kg.vocab",
           "ontology.loaders")


def test_vocab_imports_only_what_sits_below_it():
    for path in Path(kg.vocab.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] if node.module != "ontology" else [f"ontology.{a.name}" for a in node.names]
            for name in names:
                if name.split(".")[0] in ("kg", "ontology"):
                    assert name.startswith(ALLOWED), f"{path.name} imports {name}"
