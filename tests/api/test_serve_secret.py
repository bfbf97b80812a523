"""`supplyhub serve` outside development mode refuses a secret anyone could mint tokens with;
in development mode (`make run`) it starts with the development secret."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from live_server import free_port

from supplyhub.settings import DEV_JWT_SECRET

SUPPLYHUB = str(Path(sys.executable).parent / "supplyhub")


def hub_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPLYHUB_")}
    return {**env, "SUPPLYHUB_DATA_DIR": str(tmp_path), **settings}


REFUSED = {
    "no secret": ({}, "SUPPLYHUB_JWT_SECRET is unset or the development secret"),
    "the development secret": (
        {"SUPPLYHUB_JWT_SECRET": DEV_JWT_SECRET},
        "SUPPLYHUB_JWT_SECRET is unset or the development secret",
    ),
    "a short secret": (
        {"SUPPLYHUB_JWT_SECRET": "short"},
        "SUPPLYHUB_JWT_SECRET: String should have at least 32 characters",
    ),
    "a short secret in development mode": (
        {"SUPPLYHUB_JWT_SECRET": "short", "SUPPLYHUB_DEV_MODE": "true"},
        "SUPPLYHUB_JWT_SECRET: String should have at least 32 characters",
    ),
}


@pytest.mark.parametrize("settings, says", REFUSED.values(), ids=REFUSED.keys())
def test_serve_refuses_to_start_with_a_secret_anyone_could_use(
    tmp_path: Path, settings: dict[str, str], says: str
) -> None:
    done = subprocess.run(
        [SUPPLYHUB, "serve", "--port", str(free_port())], env=hub_env(tmp_path, **settings),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.server  # starts `supplyhub serve`
def test_serve_in_development_mode_starts_with_the_development_secret(tmp_path: Path) -> None:
    port = free_port()
    env = hub_env(tmp_path, SUPPLYHUB_DEV_MODE="true")
    with subprocess.Popen(
        [SUPPLYHUB, "serve", "--port", str(port)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    ) as proc:  # fmt: skip
        assert proc.stderr is not None
        try:
            said = ""
            while "Uvicorn running on" not in said:  # uvicorn says so once it listens
                line = proc.stderr.readline()
                assert line, f"serve exited: {said}"
                said += line
            healthy = httpx.get(f"http://127.0.0.1:{port}/healthz")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(20)
    assert healthy.status_code == 200
