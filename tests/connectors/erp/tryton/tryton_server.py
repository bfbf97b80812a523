"""A real trytond for the Tryton tests: a cached template database, a copy per session.

The template (tryton_template.py, ~25-40 s) is built once per machine into
`~/.cache/supplyhub/` (or `$SUPPLYHUB_TEST_CACHE`), under a name keyed by the trytond
version, the module set and the builder's own text, so a change to any of them builds a new
one. Each session restores a copy with SQLite's backup API (Tryton runs SQLite in WAL mode:
a plain copy can miss committed pages) and runs `trytond -c <conf> -d hub` on 127.0.0.1 and
a free port. `-d` matters: without it trytond 8.2.1 answers every login with KeyError.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Final

import tryton_template
from servers import free_port, stop_process

_HOST: Final = "127.0.0.1"
_START_TIMEOUT: Final = 60.0
ADMIN: Final = "admin"
ADMIN_PASSWORD: Final = "admin-password-for-tests"  # a throwaway database, rebuilt per session


@dataclass(frozen=True)
class TrytonServer:
    url: str
    database: str
    user: str
    password: str
    startup_seconds: float
    restore_seconds: float
    work: Path  # the folder of its database file (`hub.sqlite`)


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "supplyhub"
    return Path(os.environ.get("SUPPLYHUB_TEST_CACHE", default))


def template_path() -> Path:
    """The cached template for this trytond and module set, built first if missing."""
    key = hashlib.sha256(
        json.dumps(
            [
                version("trytond"),
                tryton_template.MODULES,
                Path(tryton_template.__file__).read_text(),
            ]
        ).encode()
    ).hexdigest()[:16]
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"tryton-{version('trytond')}-{key}.sqlite"
    # One builder per machine: a parallel session waits for it and then reuses its template.
    with (folder / "tryton-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            _build(path)
    return path


def _build(path: Path) -> None:
    print(f"\nbuilding the Tryton template database {path} (once per machine, ~40 s)")
    with tempfile.TemporaryDirectory(prefix="supplyhub-tryton-build-") as work:
        folder = Path(work)
        password = folder / "admin-password"
        password.write_text(ADMIN_PASSWORD)
        started = time.monotonic()
        subprocess.run(
            [sys.executable, tryton_template.__file__, str(folder), str(password)],
            check=True,
            stdin=subprocess.DEVNULL,
        )
        partial = path.with_suffix(".partial")
        copy_database(folder / f"{tryton_template.DATABASE}.sqlite", partial)
        partial.rename(path)  # whole or absent: a killed build leaves no half template
        print(f"Tryton template built in {time.monotonic() - started:.1f} s")


def copy_database(source: Path, target: Path) -> None:
    """Through SQLite's backup API: it reads committed pages still in the -wal file."""
    target.unlink(missing_ok=True)
    with (
        contextlib.closing(sqlite3.connect(source)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)


@contextlib.contextmanager
def start_tryton(work: Path, database: Path | None = None) -> Iterator[TrytonServer]:
    """Restore the template (or another database file) into `work` and serve it until the
    block ends."""
    template = database or template_path()
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    copy_database(template, work / f"{tryton_template.DATABASE}.sqlite")
    restored = time.monotonic() - started
    port = free_port()
    config = tryton_template.write_config(work, port)
    log_path = work / "trytond.log"
    trytond = str(Path(sys.executable).parent / "trytond")
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [trytond, "-c", str(config), "-d", tryton_template.DATABASE],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C on pytest reaches it through our teardown only
        )
    try:
        url = f"http://{_HOST}:{port}"
        _wait_until_answering(url, proc, log_path)
        yield TrytonServer(
            url, tryton_template.DATABASE, ADMIN, ADMIN_PASSWORD,
            time.monotonic() - started - restored, restored, work,
        )  # fmt: skip
    finally:
        stop_process(proc, signal.SIGTERM)


def _wait_until_answering(url: str, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    body = json.dumps({"id": 0, "method": "common.server.version", "params": []}).encode()
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"trytond exited with {proc.returncode}:\n{_tail(log_path)}")
        request = urllib.request.Request(
            f"{url}/rpc/", body, {"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=2) as answer:
                if "result" in json.loads(answer.read()):
                    return
        except OSError:
            pass  # not listening yet
        if time.monotonic() > deadline:
            raise RuntimeError(f"trytond did not answer within {_START_TIMEOUT:.0f} s")
        time.sleep(0.05)


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


class SecondTrytond:
    """Another trytond process on a running server's database file, which a test may kill
    (SIGKILL: no clean shutdown, a request cut mid-way) and start again on the same port.
    Sessions live in the database, so a session opened on either process works on both."""

    def __init__(self, server: TrytonServer, folder: Path) -> None:
        self.database = server.database
        self.folder = folder
        self.port = free_port()
        self.url = f"http://{_HOST}:{self.port}"
        self.config = folder / "trytond.conf"
        self.config.write_text(
            f"[database]\nuri = sqlite://\npath = {server.work}\n"
            f"[web]\nlisten = {_HOST}:{self.port}\n"
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log_path = self.folder / "trytond.log"
        trytond = str(Path(sys.executable).parent / "trytond")
        with log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [trytond, "-c", str(self.config), "-d", self.database],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        _wait_until_answering(self.url, self.proc, log_path)

    def kill(self) -> None:
        if self.proc is not None:
            stop_process(self.proc, signal.SIGKILL)
            self.proc = None

    def __enter__(self) -> SecondTrytond:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self.proc is not None:
            stop_process(self.proc, signal.SIGTERM)
