"""The graph layer (the Sink): the schema whitelist (:mod:`kg.graph.schema`), all Cypher
(:mod:`kg.graph.cypher`), the shared write logic (:mod:`kg.graph.base`) and the backends,
opened by :func:`kg.graph.backends.open_store`."""
