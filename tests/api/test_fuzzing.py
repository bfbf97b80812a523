"""Schemathesis against the OpenAPI and GraphQL schemas: bad input is never a 5xx."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fake_read_models import FakeReadModels
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    Failure,
    FailureGroup,
    negative_data_rejection,
    response_schema_conformance,
)
from schemathesis.graphql import nodes

from api.app import create_app
from api.auth import AuthConfig, Role
from api.health import Readiness
from connectors.demo import run_scenario
from domain.application import SupplyHub

# Decimals travel as strings; generate numbers and junk alike (NaN, words, beyond the limits).
schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        st.decimals(allow_nan=False).map(str),
        st.sampled_from(["NaN", "-Infinity", "x", "1E+1000000000", "9" * 5000, "-5"]),
    ).map(nodes.String),
)
AUTH = AuthConfig("fuzzing-secret-of-at-least-32-characters")
EXAMPLES = 15


@pytest.fixture(scope="module")
def app() -> Iterator[Any]:
    hub = SupplyHub()  # in memory, seeded with the demo, so generated numbers sometimes hit
    run_scenario(hub, 8)
    yield create_app(hub, FakeReadModels.two_suppliers(), lambda: Readiness(True, 0), AUTH)
    hub.close()


def fuzz(
    schema: Any, headers: dict[str, str], modes: list[GenerationMode], checks: list[Any]
) -> list[str]:
    """Every operation, in every mode, a few examples each; returns the failed checks."""
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES, deadline=None, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )  # fmt: skip
            def call(case: Any) -> None:
                response = case.call(headers=headers)
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path} {response.text[:300]}")
                    return
                try:
                    if checks:
                        case.validate_response(response, checks=checks)
                except (Failure, FailureGroup) as failure:
                    failures.append(
                        f"{case.method} {case.formatted_path} {case.body!r:.300} -> "
                        f"{response.status_code} {response.text[:300]}: {str(failure)[:500]}"
                    )

            # Some operations cannot be made invalid (a bare GET): nothing to generate.
            with contextlib.suppress(Unsatisfiable):
                call()
    return failures


def test_no_rest_request_a_connector_can_send_gets_a_server_error(app: Any) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {AUTH.issue(Role.ADMIN, 'fuzz')}"}
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    # The schema states the input limits (domain/limits.py): input outside them must be a 4xx,
    # and every answer must match the schema's responses.
    checks = [response_schema_conformance, negative_data_rejection]
    failures = fuzz(schema, headers, modes, checks)
    assert failures == []


def test_no_graphql_request_a_supplier_can_send_gets_a_server_error(app: Any) -> None:
    headers = {"Authorization": f"Bearer {AUTH.issue(Role.SUPPLIER, supplier='SUP-ACME')}"}
    schema = schemathesis.graphql.from_asgi("/graphql", app, headers=headers)
    # (schemathesis's GraphQL checks count a refusal answered as a GraphQL error as a
    # failure; only a 5xx is one here.)
    failures = fuzz(schema, headers, [GenerationMode.POSITIVE], [])
    assert failures == []
