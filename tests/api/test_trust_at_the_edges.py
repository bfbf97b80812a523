"""Issue 11, over HTTP against a real server: idempotency keys scoped by caller, what each
role may see, and the lifecycle rules a hostile supplier or careless connector tried."""

from __future__ import annotations

import time
from typing import Any

import httpx
from live_server import LiveHub, graphql_post, token


def graphql(live: LiveHub, headers: dict[str, str], query: str, **variables: Any) -> Any:
    return graphql_post(live, headers, query, **variables).json()


def rest(live: LiveHub, headers: dict[str, str], path: str, body: Any, key: str) -> httpx.Response:
    return httpx.post(
        f"{live.url}/api/v1{path}", json=body, headers={**headers, "Idempotency-Key": key}
    )


def caught_up(live: LiveHub) -> None:
    head = live.hub.recorder.max_notification_id() or 0
    assert live.read_side.runner.wait_until(head, timeout=10)
    time.sleep(0.05)  # the API re-reads the views' position at most every 20 ms


def release(live: LiveHub, connector: dict[str, str], number: str, quantity: str = "10") -> None:
    line = {"line_number": 10, "item": "BRKT-1001", "quantity": quantity, "uom": "EA",
            "unit_price": "4.75", "need_by": "2026-12-01", "ship_to": "PLANT-DE01"}  # fmt: skip
    body = {"po_number": number, "supplier": "SUP-ACME", "currency": "EUR", "lines": [line]}
    released = rest(live, connector, "/purchase-orders", body, f"release-{number}")
    assert released.status_code == 201, released.text


SUBMIT_INVOICE = """mutation($key: String!, $po: String!, $number: String!) {
  submitInvoice(idempotencyKey: $key, input: {invoiceNumber: $number, poNumber: $po,
    currency: "EUR", invoiceDate: "2026-11-20",
    lines: [{lineNumber: 10, quantity: "1", unitPrice: "4.75"}]}) {
    __typename ... on Accepted { status document exceptions detail replayed }
    ... on Conflict { code detail } ... on NotFound { kind key } } }"""

ACKNOWLEDGE = """mutation($key: String!, $po: String!) {
  acknowledgePurchaseOrder(idempotencyKey: $key,
    input: {poNumber: $po, revision: 1, lines: [{lineNumber: 10, code: "ACCEPTED"}]}) {
    __typename ... on Accepted { status document replayed }
    ... on Conflict { code detail } ... on NotFound { kind key } } }"""


# --- 1. idempotency keys belong to their caller ------------------------------------------


def test_a_suppliers_key_does_not_block_the_connector_releasing_a_po_with_it(live: LiveHub) -> None:
    connector = token("--role", "connector", "--subject", "sap")
    boreal = token("--role", "supplier", "--supplier", "SUP-BOREAL")
    graphql(live, boreal, SUBMIT_INVOICE, key="sap-po-45d23c777-r1", po="4500000002",
            number="INV-EDGE-1")  # fmt: skip
    line = {"line_number": 10, "item": "BRKT-1001", "quantity": "5", "uom": "EA",
            "unit_price": "4.75", "need_by": "2026-12-01", "ship_to": "PLANT-DE01"}  # fmt: skip
    body = {"po_number": "4500000777", "supplier": "SUP-ACME", "currency": "EUR", "lines": [line]}

    released = rest(live, connector, "/purchase-orders", body, "sap-po-45d23c777-r1")

    assert released.status_code == 201, released.text
    assert released.json()["document"] == "po:4500000777"


def test_a_supplier_resending_another_suppliers_acknowledgement_gets_no_replay(
    live: LiveHub,
) -> None:
    connector = token("--role", "connector", "--subject", "sap")
    acme = token("--role", "supplier", "--supplier", "SUP-ACME")
    boreal = token("--role", "supplier", "--supplier", "SUP-BOREAL")
    release(live, connector, "4500000778")
    first = graphql(live, acme, ACKNOWLEDGE, key="acme-ack-778", po="4500000778")
    assert first["data"]["acknowledgePurchaseOrder"]["__typename"] == "Accepted"

    probe = graphql(live, boreal, ACKNOWLEDGE, key="acme-ack-778", po="4500000778")

    assert probe["data"]["acknowledgePurchaseOrder"] == {
        "__typename": "NotFound", "kind": "purchase order", "key": "4500000778"
    }  # fmt: skip


def test_probing_a_key_another_caller_used_reveals_nothing_of_its_command(live: LiveHub) -> None:
    connector = token("--role", "connector", "--subject", "sap")
    acme = token("--role", "supplier", "--supplier", "SUP-ACME")
    release(live, connector, "4500000779")
    graphql(live, acme, ACKNOWLEDGE, key="acme-ack-779", po="4500000779")

    probe = rest(live, connector, "/purchase-orders/4500000779/cancellation",
                 {"reason": "probe"}, "acme-ack-779")  # fmt: skip

    assert probe.status_code == 200, probe.text
    assert "Acknowledge" not in probe.text and probe.json()["replayed"] is False


def test_a_key_reused_by_the_same_caller_for_other_content_is_still_refused(live: LiveHub) -> None:
    connector = token("--role", "connector", "--subject", "sap")
    acme = token("--role", "supplier", "--supplier", "SUP-ACME")
    release(live, connector, "4500000780")
    release(live, connector, "4500000781")
    graphql(live, acme, ACKNOWLEDGE, key="acme-ack-780", po="4500000780")

    reused = graphql(live, acme, ACKNOWLEDGE, key="acme-ack-780", po="4500000781")

    assert reused["data"]["acknowledgePurchaseOrder"]["__typename"] == "Conflict"
    assert reused["data"]["acknowledgePurchaseOrder"]["code"] == "idempotency_key_reused"


# --- 2. what a supplier sees ---------------------------------------------------------------


def test_a_supplier_asking_for_aps_cases_gets_none(live: LiveHub) -> None:
    acme = token("--role", "supplier", "--supplier", "SUP-ACME")
    ap = token("--role", "ap", "--subject", "ana")
    query = "{ exceptions(status: null, ownerRole: ap, first: 100) { items { category reason } } }"

    seen_by_ap = graphql(live, ap, query)["data"]["exceptions"]["items"]
    seen_by_acme = graphql(live, acme, query)["data"]["exceptions"]["items"]

    assert {"price_mismatch", "duplicate_invoice"} <= {case["category"] for case in seen_by_ap}
    assert seen_by_acme == []


def test_a_supplier_sees_its_own_cases_phrased_for_it_without_internal_limits(
    live: LiveHub,
) -> None:
    acme = token("--role", "supplier", "--supplier", "SUP-ACME")

    cases = graphql(
        live, acme, "{ exceptions(status: null, first: 100) { items { category owner reason } } }"
    )

    found = cases["data"]["exceptions"]["items"]
    assert found and {case["owner"] for case in found} == {None}
    assert {case["category"] for case in found} <= {
        "stale_revision", "tolerance_breach", "line_rejected", "quantity_variance",
        "missing_asn", "quality_hold", "over_shipment",
    }  # fmt: skip
    assert not [case for case in found if "limit" in case["reason"]]
    assert any(case["reason"].startswith("Your answer") for case in found)


def test_a_duplicate_invoice_tells_the_supplier_neither_the_earlier_message_nor_aps_case(
    live: LiveHub,
) -> None:
    acme = token("--role", "supplier", "--supplier", "SUP-ACME")

    answer = graphql(live, acme, SUBMIT_INVOICE, key="again-4500000001", po="4500000001",
                     number="INV-4500000001")["data"]["submitInvoice"]  # fmt: skip

    assert answer == {
        "__typename": "Accepted", "status": "duplicate", "document":
        "invoice:SUP-ACME:INV-4500000001", "exceptions": [],
        "detail": "this invoice number was already submitted", "replayed": False,
    }  # fmt: skip


# --- 4. lifecycle rules ------------------------------------------------------------------

SHIP_NOTICE = """mutation($key: String!, $asn: String!, $orders: [AsnOrderInput!]!) {
  submitShipNotice(idempotencyKey: $key, input: {asnNumber: $asn, shipDate: "2026-11-20",
    expectedDelivery: "2026-11-22", orders: $orders}) {
    __typename ... on Accepted { status exceptions } ... on Conflict { code detail }
    ... on InvalidInput { field rule } } }"""


def shipment(po: str, *packs: list[tuple[int, str]]) -> list[dict[str, Any]]:
    return [{"poNumber": po, "packs": [
        {"packId": f"PACK-{p}", "items": [{"lineNumber": n, "quantity": q} for n, q in items]}
        for p, items in enumerate(packs)]}]  # fmt: skip


def test_nothing_ships_is_received_or_invoiced_against_a_cancelled_po(live: LiveHub) -> None:
    connector = token("--role", "connector", "--subject", "sap")
    acme = token("--role", "supplier", "--supplier", "SUP-ACME")
    release(live, connector, "4500000790")
    cancelled = rest(live, connector, "/purchase-orders/4500000790/cancellation",
                     {"reason": "not needed"}, "cancel-790")  # fmt: skip
    assert cancelled.status_code == 200, cancelled.text

    orders = shipment("4500000790", [(10, "5")])
    asn = graphql(live, acme, SHIP_NOTICE, key="asn-790", asn="ASN-790", orders=orders)
    asn = asn["data"]["submitShipNotice"]
    ack = graphql(live, acme, ACKNOWLEDGE, key="ack-790", po="4500000790")
    invoice = graphql(live, acme, SUBMIT_INVOICE, key="inv-790", po="4500000790",
                      number="INV-790")["data"]["submitInvoice"]  # fmt: skip
    receipt = rest(live, connector, "/goods-receipts", {
        "receipt_number": "GR-790", "po_number": "4500000790", "received_on": "2026-11-22",
        "lines": [{"line_number": 10, "accepted": "5"}]}, "gr-790")  # fmt: skip

    closed = "purchase order 4500000790 is cancelled"
    assert asn == {"__typename": "Conflict", "code": "purchase_order_closed", "detail": closed}
    assert ack["data"]["acknowledgePurchaseOrder"]["detail"] == closed
    assert invoice == {"__typename": "Conflict", "code": "purchase_order_closed", "detail": closed}
    assert receipt.status_code == 409 and closed in receipt.text


def test_two_asns_beyond_the_ordered_quantity_open_an_over_shipment_case(live: LiveHub) -> None:
    connector = token("--role", "connector", "--subject", "sap")
    acme = token("--role", "supplier", "--supplier", "SUP-ACME")
    buyer = token("--role", "buyer", "--subject", "kim")
    release(live, connector, "4500000791")
    answers = [
        graphql(live, acme, SHIP_NOTICE, key=f"asn-791-{n}", asn=f"ASN-791-{n}",
                orders=shipment("4500000791", [(10, "1000000")]))["data"]["submitShipNotice"]
        for n in (1, 2)
    ]  # fmt: skip
    caught_up(live)

    cases = graphql(
        live, buyer, "{ exceptions(category: over_shipment) { items { document reason } } }"
    )

    assert answers[0]["__typename"] == "Accepted" and len(answers[0]["exceptions"]) == 1
    assert {"document": "asn:SUP-ACME:ASN-791-2",
            "reason": "ASN-791-2 on 4500000791: line 10: shipped 2000000 in all against 10 ordered",
            } in cases["data"]["exceptions"]["items"]  # fmt: skip


def test_an_asn_naming_the_same_line_twice_in_a_pack_is_refused_naming_the_entry(
    live: LiveHub,
) -> None:
    connector = token("--role", "connector", "--subject", "sap")
    acme = token("--role", "supplier", "--supplier", "SUP-ACME")
    release(live, connector, "4500000792")

    answer = graphql(live, acme, SHIP_NOTICE, key="asn-792", asn="ASN-792",
                     orders=shipment("4500000792", [(10, "5"), (10, "5")]))  # fmt: skip

    assert answer["data"]["submitShipNotice"] == {
        "__typename": "InvalidInput", "field": "orders[0].packs[0].items[1].lineNumber",
        "rule": "line 10 is named twice",
    }  # fmt: skip


def test_a_receipt_with_a_line_twice_is_refused_naming_the_entry(live: LiveHub) -> None:
    connector = token("--role", "connector", "--subject", "sap")
    release(live, connector, "4500000793")

    receipt = rest(live, connector, "/goods-receipts", {
        "receipt_number": "GR-793", "po_number": "4500000793", "received_on": "2026-11-22",
        "lines": [{"line_number": 10, "accepted": "5"}, {"line_number": 10, "accepted": "5"}],
    }, "gr-793")  # fmt: skip

    assert receipt.status_code == 422, receipt.text
    assert "lines[1].line_number" in receipt.text and "line 10 is named twice" in receipt.text
