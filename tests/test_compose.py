"""docker-compose.yml and the Dockerfile, checked without a Docker engine: the file parses,
names every service of the deployment, and every command it runs exists in the CLI."""

from __future__ import annotations

import re
import runpy
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from supplyhub.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
TRYTON_PROFILE = {"tryton", "erp"}  # started only with `--profile tryton`
SERVICES = {
    "postgres",
    "nats",
    "migrate",
    "api",
    "projections",
    "relay",
    "inbound",
    "erp",
    "tryton",
}
HUB_SERVICES = SERVICES - {"postgres", "nats", "tryton"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    parsed = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(parsed, dict)
    return parsed


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def test_the_compose_file_names_every_service_of_the_deployment(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == SERVICES


@pytest.mark.parametrize("name", sorted(HUB_SERVICES))
def test_every_hub_command_in_the_compose_file_exists_in_the_cli(
    compose: dict[str, Any], name: str
) -> None:
    service = compose["services"][name]
    assert service["build"] == "."
    # the image's entrypoint is the `supplyhub` console script, so `command` is its arguments
    args = build_parser().parse_args(service["command"])
    assert callable(args.run)


def test_the_image_runs_the_same_console_script_as_a_non_root_user(dockerfile: str) -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.M)
    assert re.search(r"^ENTRYPOINT \[\"supplyhub\"\]$", dockerfile, re.M)
    assert "supplyhub" in scripts
    assert re.search(r"^RUN pip install", dockerfile, re.M)
    users = re.findall(r"^USER (\S+)$", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
    default = re.search(r"^CMD (\[.*\])$", dockerfile, re.M)
    assert default is not None
    build_parser().parse_args(yaml.safe_load(default.group(1)))


def test_only_the_workers_talk_to_nats_and_everything_waits_for_the_migration(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    with_nats = {n for n, s in services.items() if "SUPPLYHUB_NATS_URL" in s.get("environment", {})}
    # one relay and one inbound worker; API replicas must not start their own
    assert with_nats == {"relay", "inbound"}
    for name in HUB_SERVICES - {"migrate"}:
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert "SUPPLYHUB_DATABASE_URL" in services[name]["environment"]


def test_state_is_persistent_and_health_is_checked(compose: dict[str, Any]) -> None:
    services = compose["services"]
    nats_command = services["nats"]["command"]
    assert "-js" in nats_command
    assert nats_command[nats_command.index("-sd") + 1] == "/data"
    assert "natsdata:/data" in services["nats"]["volumes"]
    assert any(v.startswith("pgdata:") for v in services["postgres"]["volumes"])
    for name in SERVICES - {"migrate"}:
        assert services[name]["healthcheck"]["test"], name


def test_the_api_scales_without_a_fixed_host_port(compose: dict[str, Any]) -> None:
    api = compose["services"]["api"]
    assert api["deploy"]["replicas"] >= 2
    assert all(":" not in str(port) for port in api["ports"])


def test_the_api_replicas_must_be_given_a_secret_and_keep_metrics_off_the_published_ports(
    compose: dict[str, Any],
) -> None:
    api = compose["services"]["api"]
    env = api["environment"]
    # `serve` outside development mode refuses the development secret: compose must demand one
    assert env["SUPPLYHUB_JWT_SECRET"].startswith("${SUPPLYHUB_JWT_SECRET:?")
    assert str(env.get("SUPPLYHUB_DEV_MODE", "false")).lower() == "false"
    metrics_port = str(env["SUPPLYHUB_METRICS_PORT"])
    assert [str(port) for port in api["ports"]] == ["8000"]
    assert metrics_port in [str(port) for port in api["expose"]]


@pytest.mark.parametrize("name", ["projections", "relay", "inbound", "erp"])
def test_each_worker_restarts_and_its_health_check_asks_that_worker_itself(
    compose: dict[str, Any], name: str
) -> None:
    service = compose["services"][name]
    assert service["restart"] in ("unless-stopped", "always", "on-failure")
    check = service["healthcheck"]["test"]
    # the worker's own health check (its heartbeat), not "is PID 1 alive"
    assert check[0] == "CMD" and check[1] == "supplyhub"
    args = build_parser().parse_args(check[2:])
    assert (args.worker, args.health) == (name, True)
    assert args.worker == service["command"][1]


def test_the_tryton_profile_serves_tryton_8_2_and_runs_the_erp_worker_against_it(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert {n for n, s in services.items() if "profiles" in s} == TRYTON_PROFILE
    assert all(services[n]["profiles"] == ["tryton"] for n in TRYTON_PROFILE)
    tryton = services["tryton"]
    dockerfile = (ROOT / tryton["build"] / "Dockerfile").read_text()
    template = runpy.run_path(str(ROOT / "tests/connectors/erp/tryton/tryton_template.py"))
    for module in template["MODULES"]:  # what the adapter's tests run against
        assert f'"trytond-{module.replace("_", "-")}==8.2.*"' in dockerfile, module
    start = (ROOT / tryton["build"] / "start.sh").read_text()
    assert 'exec trytond -c "$conf" -d "$db"' in start  # -d: trytond 8.2.1 fails logins without
    assert any(v.startswith("trytondata:") for v in tryton["volumes"])
    env = services["erp"]["environment"]
    assert env["SUPPLYHUB_ERP_ADAPTER"] == "tryton"
    assert env["SUPPLYHUB_ERP_URL"] == "http://tryton:8000"
    assert env["SUPPLYHUB_ERP_DATABASE"] == tryton["environment"]["TRYTON_DATABASE"]
    assert env["SUPPLYHUB_ERP_PASSWORD"] == tryton["environment"]["TRYTON_ADMIN_PASSWORD"]
    assert services["erp"]["depends_on"]["tryton"]["condition"] == "service_healthy"
