"""Typed configuration, read once from SUPPLYHUB_* environment variables by each entry point."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPPLYHUB_", frozen=True)

    data_dir: Path = Field(
        default=Path(".supplyhub"), description="Where the embedded SQLite store lives."
    )
    database_url: str = Field(
        default="", description="postgresql://user:pass@host:port/db; empty means embedded SQLite."
    )
    database_schema: str = Field(
        default="supplyhub", description="PostgreSQL schema, created if missing."
    )
    lock_timeout_seconds: int = Field(default=5, ge=1, description="PostgreSQL lock wait limit.")
    pool_size: int = Field(default=5, ge=1)
    nats_url: str = Field(default="", description="nats://host:port; empty means NATS is off.")
    tolerance_quantity_pct: Decimal = Decimal("5")
    tolerance_days_early: int = 3
    tolerance_days_late: int = 2
    tolerance_price_pct: Decimal = Decimal("2")
    log_level: str = "INFO"

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))
