"""The composition root: builds the application on the store the settings name.

The storage comes in through the library's environment (`storage.database.event_store_env`:
the store, our recorder on PostgreSQL, our transcoder everywhere) and the fast construction of
new documents as an argument (`storage.aggregates.FAST`); the domain imports neither.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from domain.application import SupplyHub
from domain.tolerance import TolerancePolicy
from storage import database
from storage.aggregates import FAST
from supplyhub.settings import Settings


def store_config(settings: Settings) -> database.StoreConfig:
    return database.StoreConfig(
        url=settings.database_url,
        schema=settings.database_schema,
        sqlite_path=settings.sqlite_file,
        lock_timeout_seconds=settings.lock_timeout_seconds,
        pool_size=settings.pool_size,
    )


def store_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing environment for the configured store (explicit, not os.environ)."""
    return database.event_store_env(store_config(settings))


@contextmanager
def schema_lock(settings: Settings) -> Iterator[None]:
    """Start-up DDL one process at a time (see `storage.database.schema_lock`)."""
    with database.schema_lock(settings.database_url, settings.database_schema):
        yield


def tolerance(settings: Settings) -> TolerancePolicy:
    return TolerancePolicy(
        quantity_pct=settings.tolerance_quantity_pct,
        days_early=settings.tolerance_days_early,
        days_late=settings.tolerance_days_late,
        price_pct=settings.tolerance_price_pct,
    )


def open_hub(settings: Settings) -> SupplyHub:
    with schema_lock(settings):  # the library creates its tables on construction
        return SupplyHub(env=store_env(settings), tolerance=tolerance(settings), construction=FAST)
