"""Reading a collection a page at a time both ways: SAP's server-driven paging (a `__next`
link with a `$skiptoken`, followed as given; mock-sap never pages, so a small stand-in server
speaks it here) and `$top`/`$skip` against mock-sap, which has no `$skiptoken`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from sap_system import MockSap

from connectors.erp.sap.odata import SapClient

PAGES = {None: (["4500000001", "4500000002"], "2"), "2": (["4500000003"], None)}


class _PagingGateway(BaseHTTPRequestHandler):
    """Answers A_PurchaseOrder as a Gateway with server-driven paging does: two entities and a
    `__next` link, then the last one without."""

    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        token = parse_qs(urlsplit(self.path).query).get("$skiptoken", [None])[0]
        numbers, following = PAGES[token]
        page: dict[str, object] = {"results": [{"PurchaseOrder": n} for n in numbers]}
        if following is not None:
            page["__next"] = (
                f"http://127.0.0.1:{self.server.server_address[1]}/sap/opu/odata/sap/"
                f"API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder?$skiptoken={following}"
            )
        body = json.dumps({"d": page}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PagingGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _PagingGateway.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_saps_next_link_is_followed_as_given_until_the_last_page(gateway: str) -> None:
    client = SapClient(gateway)

    found = list(client.collection("API_PURCHASEORDER_PROCESS_SRV", "A_PurchaseOrder", {}))

    assert [o["PurchaseOrder"] for o in found] == ["4500000001", "4500000002", "4500000003"]
    assert _PagingGateway.requests[1].endswith("A_PurchaseOrder?$skiptoken=2")


@pytest.mark.mock_sap
def test_a_server_that_does_not_page_is_read_with_top_and_skip(sap: MockSap) -> None:
    client = SapClient(sap.url, sap.user, sap.password)
    params = {"$orderby": "PurchaseOrder"}

    paged = list(client.collection("API_PURCHASEORDER_PROCESS_SRV", "A_PurchaseOrder", params,
                                   page_size=5))  # fmt: skip
    whole = list(client.collection("API_PURCHASEORDER_PROCESS_SRV", "A_PurchaseOrder", params,
                                   page_size=10_000))  # fmt: skip

    numbers = [o["PurchaseOrder"] for o in paged]
    assert len(numbers) > 5 and numbers == [o["PurchaseOrder"] for o in whole]
    assert numbers == sorted(set(numbers))
