"""The trading partners' register opened on the hub's store, the directory the gateway reads
(refreshed from it, with `<data dir>/partners` as its import inbox), and the desk the REST
routes and `supplyhub partners` use (api/partners.py's port)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from eventsourcing.persistence import OperationalError

from api.partners import PartnerChange, PartnerVersionView, PartnerView
from connectors.gateway.directory import PartnerDirectory
from connectors.gateway.partner_book import CurrentProfile, PartnerBook
from domain.partner_register import Change, PartnerRegister
from storage.partner_log import partner_log_env
from supplyhub.bootstrap import schema_lock, store_env
from supplyhub.settings import Settings

log = logging.getLogger(__name__)


def open_register(settings: Settings) -> PartnerRegister:
    """The register's own log (``partners_events``) in the hub's SQLite file or schema."""
    env = {**partner_log_env(store_env(settings)), "CREATE_TABLE": "n"}
    with schema_lock(settings):
        register = PartnerRegister(env=env)
        try:
            register.recorder.create_table()  # type: ignore[attr-defined]
        except OperationalError as error:  # a read-only store still serves what it holds
            log.warning("the partners' log cannot be created (%s): profiles are read only", error)
    return register


def partner_directory(settings: Settings, book: PartnerBook | None = None) -> PartnerDirectory:
    """What the gateway reads; the inbox's files are imported on the first lookup."""
    return PartnerDirectory(book or PartnerBook(open_register(settings)), settings.partner_dir)


@dataclass
class StoredPartnerDesk:
    """The desk reads through the directory, so what the inbox holds is imported first."""

    directory: PartnerDirectory

    @property
    def book(self) -> PartnerBook:
        self.directory.current()  # imports the inbox's new or changed files
        return self.directory.book

    def all(self) -> list[PartnerView]:
        return [_view(each) for each in self.book.all()]

    def show(self, partner: str) -> PartnerView:
        return _view(self.book.show(partner))

    def put(self, partner: str, document: object, actor: str) -> PartnerChange:
        return _change(self.book.put(partner, document, actor))

    def import_file(self, path: Path, actor: str) -> PartnerChange:
        return _change(self.book.import_file(path, actor))

    def versions(self, partner: str) -> list[PartnerVersionView]:
        return [
            PartnerVersionView(v.version, v.kind, v.at, v.actor, list(v.changed), v.to_version)
            for v in self.book.versions(partner)
        ]

    def roll_back(self, partner: str, version: int, actor: str) -> PartnerChange:
        return _change(self.book.roll_back(partner, version, actor))


def _view(found: CurrentProfile) -> PartnerView:
    return PartnerView(found.partner, found.supplier, found.version, found.document)


def _change(done: Change) -> PartnerChange:
    return PartnerChange(done.partner, done.version, done.written)
