"""The console's partner channels on either store (payload files and SQLite, or PostgreSQL's
`edi_payloads`): each partner's traffic, EDI and cXML, read from the payload index in one
query, not by opening the payloads; cXML partners beside EDI ones, with their OrderRequests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from interchanges import CXML, EDIFACT, X12, X12_OUT

from connectors.cxml.outbound import DELIVERED, FAILED, CxmlOrders
from connectors.gateway.parties import payload_parties
from domain.application import SupplyHub
from storage.database import Database, Transaction
from storage.payload_index import PayloadIndex, Traffic
from storage.payloads import DatabasePayloadStore, PayloadStore
from supplyhub import workers
from supplyhub.cli.core import seed_demo_partners
from supplyhub.partner_desk import partner_directory
from supplyhub.settings import Settings
from supplyhub.technical_desk import StoredTechnicalDesk


@pytest.fixture(scope="module")
def desk(store_settings: Settings, hub: SupplyHub) -> StoredTechnicalDesk:
    seed_demo_partners(store_settings)  # boreal (X12), delta (EDIFACT), cypress (cXML)
    return StoredTechnicalDesk(store_settings, hub, partner_directory(store_settings))


def partners(desk: StoredTechnicalDesk) -> dict[str, Any]:
    return {channel.partner: channel for channel in desk.channels().partners}


def test_each_partners_traffic_is_read_from_the_index_not_the_payloads(
    desk: StoredTechnicalDesk, store_settings: Settings
) -> None:
    kept = workers.payloads(store_settings)
    for payload in (X12, X12_OUT, EDIFACT, CXML, CXML):  # the same bytes twice: kept once
        kept.put(payload)

    before = partners(desk)
    shutil.rmtree(store_settings.payload_dir, ignore_errors=True)  # files gone: index stays
    after = partners(desk)

    assert before == after
    boreal, delta, cypress = after["boreal"], after["delta"], after["cypress"]
    assert (boreal.received, boreal.last_in != "", boreal.last_out != "") == (1, True, True)
    assert (delta.received, delta.dialect, delta.last_in != "") == (1, "edifact", True)
    assert (cypress.received, cypress.dialect, cypress.last_in != "") == (1, "cxml", True)


def test_a_cxml_partners_order_requests_count_as_sent_or_refused(
    desk: StoredTechnicalDesk, store_settings: Settings
) -> None:
    orders = CxmlOrders(workers.open_database(store_settings))
    at = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    orders.record(9_000_001, "cypress", "4500000001", DELIVERED, 200, "OK", at)
    orders.record(9_000_002, "cypress", "4500000002", DELIVERED, 200, "OK", at)
    orders.record(9_000_003, "cypress", "4500000003", FAILED, 400, "unknown part", at)

    cypress = partners(desk)["cypress"]

    assert (cypress.sent, cypress.refused, cypress.parked) == (2, 1, 0)
    assert cypress.error_rate == round(1 / (2 + 1 + cypress.received), 4)


def test_payloads_kept_before_the_index_are_indexed_once_from_the_store(
    store_settings: Settings,
) -> None:
    database = workers.open_database(store_settings)
    older: PayloadStore | DatabasePayloadStore = (
        DatabasePayloadStore(database) if store_settings.uses_postgres
        else PayloadStore(store_settings.data_dir / "older-payloads")
    )  # fmt: skip
    older.put(X12.replace(b"000000901", b"000000777"))  # no index given: kept before it was
    index = PayloadIndex(database, payload_parties)
    before = index.traffic().get(("BOREALCAST", "SUPPLYHUB"), Traffic(0, "")).count

    index.backfill(older.kept())
    index.backfill(older.kept())

    assert index.traffic()[("BOREALCAST", "SUPPLYHUB")].count == before + 1


class _Commits(Database):
    """The hub's database, counting the transactions it opens."""

    opened = 0

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        self.opened += 1
        with super().transaction() as tx:
            yield tx


def test_the_database_keeps_a_payload_and_its_index_row_in_one_commit(
    postgres_url: str,
) -> None:
    database = _Commits(postgres_url, schema="one_commit")
    kept = DatabasePayloadStore(database, PayloadIndex(database, payload_parties))
    opened = database.opened

    ref = kept.put(X12.replace(b"000000901", b"000000778"))

    assert database.opened - opened == 1
    assert kept.index is not None
    assert kept.index.traffic()[("BOREALCAST", "SUPPLYHUB")].count == 1
    assert kept.get(ref).startswith(b"ISA")
