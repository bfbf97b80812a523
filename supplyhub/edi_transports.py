"""The EDI gateway's transports and payload archive, wired from the settings: AS2 (the hub's
identity, the sender the worker uses, the endpoint `POST /as2` calls), and where raw payloads
are kept (files under the data directory, or the database when it is PostgreSQL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors.gateway.parties import payload_parties
from storage.database import Database
from storage.payload_index import PayloadIndex
from storage.payloads import DatabasePayloadStore, PayloadStore
from supplyhub.settings import Settings

if TYPE_CHECKING:  # AS2's crypto is imported only by processes that trade by AS2
    from connectors.as2.endpoint import As2Endpoint
    from connectors.as2.sender import As2Sender
    from connectors.gateway.directory import PartnerDirectory
    from connectors.gateway.drop import DropDirectory
    from connectors.gateway.files import FileGateway
    from domain.application import SupplyHub


def payload_store(settings: Settings, database: Database) -> PayloadStore | DatabasePayloadStore:
    """Files under the data directory on SQLite; a table in the database on PostgreSQL. Either
    way each payload is noted in the database's payload index with its parties (the console's
    channel traffic). The caller holds the start-up DDL lock: the tables are made here."""
    index = PayloadIndex(database, payload_parties)
    if settings.uses_postgres:
        return DatabasePayloadStore(database, index)
    return PayloadStore(settings.payload_dir, index)


def as2_sender(settings: Settings, database: Database) -> As2Sender | None:
    """The worker's AS2 side, when the hub has an AS2 id (SUPPLYHUB_AS2_ID)."""
    if not settings.as2_id:
        return None
    from connectors.as2.parties import As2Identity
    from connectors.as2.receipts import As2Messages
    from connectors.as2.sender import As2Sender

    identity = As2Identity.from_files(
        settings.as2_id, settings.as2_key_file, settings.as2_certificate_file,
        settings.as2_mdn_url,
    )  # fmt: skip
    return As2Sender(identity, As2Messages(database), timeout_seconds=settings.edi_timeout_seconds)


def build_as2_endpoint(
    settings: Settings, hub: SupplyHub, partners: PartnerDirectory | None = None
) -> As2Endpoint:
    """What `POST /as2` calls: the worker's inbound path (kept, translated, applied or
    parked and rejected) behind pyas2lib's checks, reading the API's partner directory."""
    from connectors.as2.endpoint import As2Endpoint
    from supplyhub.bootstrap import schema_lock
    from supplyhub.workers import build_edi, open_database

    edi = build_edi(settings, hub, partners)
    with schema_lock(settings):
        sender = as2_sender(settings, open_database(settings))
    if sender is None:
        raise ValueError("POST /as2 needs SUPPLYHUB_AS2_ID")
    return As2Endpoint(
        sender.identity, edi.partners, edi.receive, sender,
        timeout_seconds=settings.edi_timeout_seconds,
    )  # fmt: skip


def build_file_gateway(settings: Settings, hub: SupplyHub) -> FileGateway:
    """`edi receive FILE` and the drop directory: a file through the whole gateway."""
    from connectors.gateway.files import FileGateway
    from supplyhub.workers import build_edi

    edi = build_edi(settings, hub)
    return FileGateway(hub, edi.partners, edi.payloads, edi.documents, receiver=edi.receiver)


def build_drop_directory(settings: Settings, hub: SupplyHub) -> DropDirectory | None:
    """The drop directory `worker edi` watches, when SUPPLYHUB_EDI_DROP_DIR is set."""
    if settings.edi_drop_dir is None:
        return None
    from connectors.gateway.drop import DropDirectory

    return DropDirectory(
        settings.edi_drop_dir, build_file_gateway(settings, hub),
        settle_seconds=settings.edi_drop_settle_seconds,
    )  # fmt: skip
