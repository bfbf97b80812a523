"""The hub composed over one data directory as `supplyhub serve` composes it, for tests that
drive it in process (TestClient) or serve it themselves: the store and the read side opened,
the app built, both closed after. Partner profiles go in the data directory first."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from api.auth import Role
from domain.application import SupplyHub
from supplyhub.bootstrap import open_hub
from supplyhub.cli.api import build_app, serving_auth
from supplyhub.read_side import ReadSide, open_read_side
from supplyhub.settings import Settings


@dataclass
class Composed:
    settings: Settings
    store: SupplyHub
    read_side: ReadSide
    app: FastAPI

    def bearer(self, role: Role, subject: str, supplier: str = "") -> dict[str, str]:
        """Headers with a token `serve` accepts."""
        token = serving_auth(self.settings).issue(role, subject, supplier)
        return {"Authorization": f"Bearer {token}"}


@contextmanager
def composed(settings: Settings) -> Iterator[Composed]:
    store = open_hub(settings)
    read_side = open_read_side(settings, store)
    app = build_app(settings, store, read_side.read_models, read_side.write_fault)
    try:
        yield Composed(settings, store, read_side, app)
    finally:
        read_side.close()
        store.close()


def add_partner(data_dir: Path, profile: dict[str, Any]) -> None:
    """A partner profile in the hub's import inbox, `<data dir>/partners/<partner>.json`: the
    gateway imports it as the partner's next version when it next looks (docs/edi.md)."""
    partners = data_dir / "partners"
    partners.mkdir(exist_ok=True)
    (partners / f"{profile['partner']}.json").write_text(json.dumps(profile))
