"""Every node's and relationship's key and properties, in a stable order: two graphs compared as a whole."""

import json

NODES = "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props"
RELATIONSHIPS = ("MATCH (a)-[r]->(b) RETURN type(r) AS type, coalesce(a.id, a.key) AS start, "
                 "coalesce(b.id, b.key) AS end, properties(r) AS props")


def snapshot(store) -> dict[str, list]:
    def canonical(rows):
        return sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)

    nodes = [{"labels": sorted(r["labels"]), **r} for r in store.query(NODES)]
    return {"nodes": canonical(nodes), "relationships": canonical(store.query(RELATIONSHIPS))}
