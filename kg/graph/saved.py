"""Saved research queries (``ontology/queries.cypher``): run by `medkg query --saved`, `medkg demo`
and pasted into Neo4j Browser as they are."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

QUERIES_FILE = Path(str(files("ontology") / "queries.cypher"))
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class SavedQuery:
    name: str
    description: str
    cypher: str

    @property
    def parameters(self) -> list[str]:
        return sorted(set(_PARAM.findall(self.cypher)))


@cache
def load_saved_queries(path: Path = QUERIES_FILE) -> dict[str, SavedQuery]:
    """Parse blocks that start with ``// name:`` and ``// description:`` comment lines."""
    queries: dict[str, SavedQuery] = {}
    name = description = None
    body: list[str] = []

    def flush() -> None:
        if name:
            queries[name] = SavedQuery(name, description or "", "\n".join(body).strip())

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("// name:"):
            flush()
            name, description, body = line.split(":", 1)[1].strip(), None, []
        elif line.startswith("// description:"):
            description = line.split(":", 1)[1].strip()
        elif name and not line.startswith("//"):
            body.append(line)
    flush()
    return queries
