import importlib.util

import pytest

from kg.config import Settings
from kg.errors import GraphStoreError
from kg.graph import open_store


@pytest.mark.skipif(importlib.util.find_spec("kg.graph.neo4j_store") is not None, reason="the Neo4j backend exists")
def test_neo4j_backend_not_there_yet_says_so(tmp_path):
    with pytest.raises(GraphStoreError, match="not implemented yet") as err:
        open_store(Settings(data_dir=tmp_path, store="neo4j"))
    assert "MEDKG_STORE=falkordb" in str(err.value)


def test_store_is_a_context_manager_that_stops_its_server(tmp_path):
    with open_store(Settings(data_dir=tmp_path)) as store:
        server = store.server
        assert store.query("RETURN 1 AS one") == [{"one": 1}]
    assert server.running_pid() is None
