"""The composition root: builds the application on the store the settings name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql

from domain.application import SupplyHub
from domain.tolerance import TolerancePolicy
from supplyhub.fast_json import OrjsonTranscoder
from supplyhub.settings import Settings


def store_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing environment for the configured store (explicit, not os.environ)."""
    if not settings.uses_postgres:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(settings.data_dir / "hub.sqlite3"),
            "SQLITE_LOCK_TIMEOUT": str(settings.lock_timeout_seconds),
        }
    url = urlsplit(settings.database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_SCHEMA": settings.database_schema,
        "POSTGRES_LOCK_TIMEOUT": str(settings.lock_timeout_seconds),
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_POOL_SIZE": str(settings.pool_size),
        "POSTGRES_MAX_OVERFLOW": str(settings.pool_size),
        "CREATE_TABLE": "y",
        "APPLICATION_RECORDER_TOPIC": "supplyhub.postgres_recorder:BinaryInsertRecorder",
    }


@contextmanager
def schema_lock(settings: Settings) -> Iterator[None]:
    """Start-up DDL one process at a time, and the schema created first.

    Every process creates what it needs on start (the library's tables, the views, the
    backbone's tables), and the library re-runs its DDL even when the tables exist. Run by
    several processes at once, as a deployment starts its API replicas and workers together,
    PostgreSQL's catalog updates collide ("tuple concurrently updated"). A session-level
    advisory lock, per schema, serialises them; SQLite serialises writers itself.
    """
    if not settings.uses_postgres:
        yield
        return
    key = f"supplyhub-ddl:{settings.database_schema}"
    with psycopg.connect(settings.database_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
        try:
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    sql.Identifier(settings.database_schema)
                )
            )
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))


def tolerance(settings: Settings) -> TolerancePolicy:
    return TolerancePolicy(
        quantity_pct=settings.tolerance_quantity_pct,
        days_early=settings.tolerance_days_early,
        days_late=settings.tolerance_days_late,
        price_pct=settings.tolerance_price_pct,
    )


def open_hub(settings: Settings) -> SupplyHub:
    with schema_lock(settings):  # the library creates its tables on construction
        return SupplyHub(
            env=store_env(settings), tolerance=tolerance(settings), transcoder=OrjsonTranscoder
        )
