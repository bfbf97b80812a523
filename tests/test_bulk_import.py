"""The pipelined bulk import gives exactly what sequential batches give, on both stores."""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent
from given import envelope, line, lines
from servers import PostgresServer

from domain import commands as c
from domain.acknowledgement import AckStatus
from domain.application import BatchItem, SupplyHub
from domain.errors import DomainError
from domain.outcome import Outcome
from domain.provenance import Channel
from supplyhub.bootstrap import open_hub
from supplyhub.bulk_import import import_batches
from supplyhub.postgres_recorder import COPY_FROM, BinaryInsertRecorder, PendingInsert
from supplyhub.settings import Settings

pytestmark = pytest.mark.postgres


def batches() -> list[list[BatchItem]]:
    """Each batch leans on the one before: a supplier then its orders, orders then their
    revisions and answers, a tolerance change then answers judged by it, repeats. The
    first two are large enough to go by COPY on PostgreSQL (COPY_FROM events)."""
    erp, x12 = Channel.ERP, Channel.X12
    supplier = [BatchItem(c.UpsertSupplier("SUP-B", "Bulk"), envelope(message_id="s-1"))]
    releases = [
        BatchItem(
            c.ReleasePurchaseOrder(f"B-{n}", "SUP-B", "EUR", lines(2)),
            envelope(erp, message_id=f"r-{n}"),
        )
        for n in range(2 * COPY_FROM)
    ]
    revisions = [
        BatchItem(
            c.RevisePurchaseOrder(f"B-{n}", 2, (line(10, quantity="90"), line(20))),
            envelope(erp, message_id=f"v-{n}"),
        )
        for n in range(0, 40, 2)
    ]
    policy = [
        BatchItem(
            c.SetTolerancePolicy("SUP-B", Decimal(0), 0, 0, Decimal(0)), envelope(message_id="t-1")
        )
    ]
    answers = [
        BatchItem(
            c.AcknowledgePurchaseOrder(
                f"B-{n}",
                1,
                (
                    c.LineAnswer(
                        10, AckStatus.ACCEPTED_WITH_CHANGES, "IQ", confirmed_quantity=Decimal(99)
                    ),
                ),
            ),
            envelope(x12, message_id=f"a-{n}", tenant="SUP-B"),
        )
        for n in range(1, 40, 2)
    ]
    duplicate = BatchItem(
        c.ReleasePurchaseOrder(f"B-{2 * COPY_FROM - 1}", "SUP-B", "EUR", lines(1)),
        envelope(erp, message_id="dup"),
    )
    return [
        supplier + releases[:COPY_FROM],
        releases[COPY_FROM:] + revisions,
        policy + answers,
        [*releases[:COPY_FROM], duplicate],  # conflicts when its COPY commits
    ]


def summary(result: Outcome | DomainError) -> tuple[str, ...]:
    if isinstance(result, Outcome):
        return (
            "outcome",
            result.status,
            result.document,
            str(result.revision),
            *result.exceptions,
            str(result.replayed),
        )
    return ("refused", type(result).__name__, str(result))


def log(hub: SupplyHub) -> list[tuple[str, str]]:
    """The stored log, without the recording times."""
    entries = []
    for n in hub.recorder.select_notifications(start=1, limit=100_000):
        state = hub.mapper.to_domain_event(n).__dict__
        entries.append((n.topic, repr({k: v for k, v in state.items() if k != "timestamp"})))
    return sorted(entries)


@pytest.fixture(params=["sqlite", "postgres"])
def two_stores(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[SupplyHub, SupplyHub]]:
    def settings(name: str) -> Settings:
        if request.param == "sqlite":
            return Settings(data_dir=tmp_path / name)
        server: PostgresServer = request.getfixturevalue("postgres_server")
        return Settings(
            data_dir=tmp_path / name,
            database_url=server.create_database(f"bulk_{uuid.uuid4().hex[:12]}"),
        )

    hubs = (open_hub(settings("sequential")), open_hub(settings("pipelined")))
    yield hubs
    for hub in hubs:
        hub.close()


def test_a_pipelined_import_gives_what_sequential_batches_give(
    two_stores: tuple[SupplyHub, SupplyHub], monkeypatch: pytest.MonkeyPatch
) -> None:
    sequential, pipelined = two_stores
    work = batches()
    appends: list[PendingInsert] = []
    if isinstance(pipelined.recorder, BinaryInsertRecorder):  # see that large appends overlap
        begin = pipelined.recorder.begin_insert

        def begin_and_keep(stored: list[StoredEvent]) -> PendingInsert:
            appends.append(begin(stored))
            return appends[-1]

        monkeypatch.setattr(pipelined.recorder, "begin_insert", begin_and_keep)

    expected = [[summary(r) for r in sequential.handle_batch(batch)] for batch in work]
    actual = [[summary(r) for r in results] for results in import_batches(pipelined, work)]

    assert actual == expected
    assert log(pipelined) == log(sequential)
    assert any(s[1] == "ConflictError" for s in expected[3])  # the duplicate release was refused
    assert any(s[-1] == "True" for s in expected[3])  # and the repeats replayed
    assert any("tolerance_breach" in part for s in expected[2] for part in s)  # policy was seen
    if isinstance(pipelined.recorder, BinaryInsertRecorder):
        # the large batches were sent without waiting; the last one conflicted at its commit
        assert [append.committed() for append in appends] == [True, True, False]


def test_the_collector_is_off_during_an_import_and_back_on_after_it_even_if_abandoned(
    tmp_path: Path,
) -> None:
    hub = open_hub(Settings(data_dir=tmp_path))
    work = batches()
    assert gc.isenabled()
    during = [gc.isenabled() for _ in import_batches(hub, work[:3])]
    assert during == [False] * 3 and gc.isenabled()
    for _ in import_batches(hub, work[3:]):
        assert not gc.isenabled()
        break  # the caller stops reading: the generator is closed and the pause ends
    assert gc.isenabled()
    hub.close()
