"""The queue stays fast with comments: a page of cases reads no comment unless the query asks
for them, and then reads them once for the whole page."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

import pytest
from fake_read_models import FakeReadModels

from api.auth import Principal, Role
from api.envelope import Envelope
from api.graphql.context import RequestContext
from api.graphql.schema import build_schema
from domain.application import SupplyHub
from domain.provenance import Channel
from projections.read_models import CaseCommentView
from storage.database import IN_MEMORY

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class CountedReads(FakeReadModels):
    def __init__(self) -> None:
        models = FakeReadModels.two_suppliers(per_supplier=5)
        super().__init__(list(models.orders.values()), models.cases)
        self.comment_reads: list[tuple[str, ...]] = []

    def case_comments(self, keys: Collection[str]) -> dict[str, tuple[CaseCommentView, ...]]:
        self.comment_reads.append(tuple(keys))
        return super().case_comments(keys)


async def run(models: CountedReads, query: str) -> Any:
    buyer = Principal("bea", Role.BUYER)
    context = RequestContext(
        principal=buyer, read_models=models, hub=SupplyHub(env=IN_MEMORY),
        envelope=Envelope(buyer, Channel.PORTAL, NOW, "corr-1", "sha256:00"),
        max_page_size=50, record_outcome=lambda command, status: None,
    )  # fmt: skip
    answer = await build_schema().execute(query, context_value=context)
    assert answer.errors is None, answer.errors
    return answer.data


async def test_a_queue_page_without_comments_reads_none() -> None:
    models = CountedReads()

    data = await run(models, "{ exceptions(status: null) { items { key commentCount } } }")

    assert len(data["exceptions"]["items"]) == 10
    assert models.comment_reads == []


async def test_a_queue_page_asking_comments_reads_them_once_for_every_case() -> None:
    models = CountedReads()
    first = models.cases[0]
    models.comments[first.key] = (
        CaseCommentView("id", 2, NOW, "buyer:bea", "portal", "m-1", "called them"),
    )

    data = await run(models, "{ exceptions(status: null) { items { key comments { text } } } }")

    assert len(models.comment_reads) == 1
    assert set(models.comment_reads[0]) == {case.key for case in models.cases}
    shown = {item["key"]: item["comments"] for item in data["exceptions"]["items"]}
    assert shown[first.key] == [{"text": "called them"}]
    assert sum(bool(comments) for comments in shown.values()) == 1
