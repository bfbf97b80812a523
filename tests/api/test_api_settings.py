"""The process's settings reach the app through `Settings.api()`: limits, tokens, dev mode."""

from __future__ import annotations

from fake_read_models import app_over_fake_views
from fastapi.testclient import TestClient

from api.auth import Role
from domain.application import SupplyHub
from supplyhub.settings import Settings

SECRET = "api-settings-test-secret-of-32-chars!"


def test_the_body_limit_and_token_secret_of_the_settings_are_the_ones_the_app_enforces() -> None:
    settings = Settings(jwt_secret=SECRET, max_body_bytes=2048, dev_mode=True)
    hub = SupplyHub()
    app = app_over_fake_views(settings.api(), hub)
    connector = {"Authorization": f"Bearer {settings.api().auth.issue(Role.CONNECTOR)}"}
    with TestClient(app) as client:
        small = client.post("/api/v1/bulk", json={"items": []}, headers=connector)
        large = client.post(
            "/api/v1/bulk", json={"items": [], "pad": " " * 4096}, headers=connector
        )
        graphiql = client.get("/graphql", headers={"Accept": "text/html"})
    hub.close()
    assert small.status_code == 422  # read, and refused for its content: the token held
    assert large.status_code == 413
    assert graphiql.status_code == 200 and "graphiql" in graphiql.text.lower()
