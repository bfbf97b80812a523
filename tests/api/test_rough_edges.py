"""Rough edges a new user found in the API, over HTTP against a real uvicorn and the demo data:
the order behind a receipt's or an invoice's case, and enums where statuses were strings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from browser import token
from live_server import LiveHub, serving

from api.auth import Role
from supplyhub.settings import Settings


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("rough-edges"), dev_mode=True)
    with serving(settings) as hub:
        head = hub.hub.recorder.max_notification_id() or 0
        assert hub.read_side.runner.wait_until(head, 10)
        yield hub


def ask(live: LiveHub, role: Role, query: str) -> Any:
    supplier = "SUP-ACME" if role is Role.SUPPLIER else ""
    headers = {"Authorization": f"Bearer {token(live, role, f'{role}-user', supplier)}"}
    response = httpx.post(f"{live.url}/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert "errors" not in answer, answer
    return answer["data"]


CASES = """{ exceptions(status: null) { document
  purchaseOrder { number receipts { receiptNumber } invoices { invoiceNumber } } } }"""


@pytest.mark.parametrize("kind", ["receipt", "invoice"])
def test_a_receipt_or_invoice_case_names_the_purchase_order_of_its_document(
    live: LiveHub, kind: str
) -> None:
    cases = [
        case for case in ask(live, Role.ADMIN, CASES)["exceptions"]
        if case["document"].startswith(f"{kind}:")
    ]  # fmt: skip
    assert cases, f"the demo has {kind} cases"
    for case in cases:
        number = case["document"].rpartition(":")[2]
        po = case["purchaseOrder"]
        assert po is not None, case
        documents = [r["receiptNumber"] for r in po["receipts"]] + [
            i["invoiceNumber"] for i in po["invoices"]
        ]
        assert number in documents
