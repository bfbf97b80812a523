"""The API's own typed settings: what `create_app` needs to know, made by the composition root
(`supplyhub.settings.Settings.api()`) or a test, so the API never reads the process's settings."""

from __future__ import annotations

from dataclasses import dataclass

from api.auth import AuthConfig


@dataclass(frozen=True)
class ApiSettings:
    auth: AuthConfig  # how bearer tokens are verified
    dev_mode: bool = False  # GraphiQL at GET /graphql
    max_body_bytes: int = 8 * 1024 * 1024
    max_page_size: int = 100  # the largest `first` a query may ask
    max_bulk_items: int = 5000
    graphql_max_depth: int = 8
    max_lag: int = 1000  # /readyz fails when the views trail the log by more events
    response_cache_size: int = 4096  # cached GraphQL answers (0: none)
    position_ttl_seconds: float = 0.02  # how long the views' position is taken as current
