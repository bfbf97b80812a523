"""mock-edi, a third-party EDI trading partner, run as a real process for the EDI tests.

A plain helper like ``tests/servers.py``: ``conftest.py`` wraps it in a session fixture.  It
listens on 127.0.0.1 on a free port, keeps everything in memory, and is stopped at the end.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from servers import free_port, stop_process

_HOST = "127.0.0.1"
_START_TIMEOUT = 20.0


@dataclass(frozen=True)
class MockEdi:
    """Where the running partner listens."""

    url: str

    def validate(self, interchange: bytes) -> dict[str, object]:
        """The mock's own verdict on an interchange (``POST /_mock/validate``)."""
        answer = httpx.post(f"{self.url}/_mock/validate", content=interchange, timeout=10)
        answer.raise_for_status()
        result: dict[str, object] = answer.json()
        return result

    def send(self, interchange: bytes) -> dict[str, object]:
        """Trade over plain HTTP (``POST /edi``): the JSON summary of what it did."""
        answer = httpx.post(f"{self.url}/edi", content=interchange, timeout=10)
        answer.raise_for_status()
        result: dict[str, object] = answer.json()
        return result

    def collect(self, partner: str) -> bytes:
        """What it has released for ``partner`` (``GET /_mock/mailbox?partner=P&raw``): the
        mock is the session's, so other tests' partners have mail in it too."""
        answer = httpx.get(f"{self.url}/_mock/mailbox?partner={partner}&raw", timeout=10)
        answer.raise_for_status()
        return answer.content


@contextlib.contextmanager
def start_mock_edi(log_path: Path, *options: str) -> Iterator[MockEdi]:
    """Run ``mock-edi`` for the block (with ``options``); its access log goes to ``log_path``."""
    binary = Path(sys.executable).parent / "mock-edi"
    if not binary.is_file():
        raise RuntimeError(
            f"mock-edi is not installed next to {sys.executable}: pip install -e '.[dev]'"
        )
    port = free_port()
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [str(binary), "--host", _HOST, "--port", str(port), "--db", ":memory:", *options],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C on pytest must not reach it before teardown
        )
    mock = MockEdi(f"http://{_HOST}:{port}")
    try:
        _wait_until_healthy(mock, proc, log_path)
        yield mock
    finally:
        stop_process(proc, signal.SIGTERM)


def _wait_until_healthy(mock: MockEdi, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"mock-edi exited with {proc.returncode}:\n{log_path.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{mock.url}/_mock/health", timeout=1).status_code == 200:
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"mock-edi did not answer within {_START_TIMEOUT:.0f}s")
        time.sleep(0.05)
