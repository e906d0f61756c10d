from kg.config import Settings
from kg.graph.backends import open_store


def test_store_is_a_context_manager_that_stops_its_server(tmp_path):
    with open_store(Settings(data_dir=tmp_path)) as store:
        server = store.server
        assert store.query("RETURN 1 AS one") == []  # a read creates no graph: there is none yet to answer
        store.ensure_schema()
        assert store.query("RETURN 1 AS one") == [{"one": 1}]
    assert server.running_pid() is None
