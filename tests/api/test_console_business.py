"""The console's business work lists over HTTP against a real uvicorn and the demo data: the
blocked invoices with their reasons (`GET /console/blocked-invoices`, paged by cursor,
internal roles only) and the work-list counts of `GET /console/counts`. What they should
hold is asked of the hub's own GraphQL API."""

from __future__ import annotations

from typing import Any

import httpx
from browser import ask, bearer
from live_server import LiveHub

from api.auth import Role

ORDERS = """query($after: String) { purchaseOrders(first: 100, after: $after) {
  items { number supplier invoices { invoiceNumber matchStatus blockReasons } }
  endCursor hasNextPage } }"""
CATEGORY = "query($c: CaseCategory) { exceptions(category: $c) { totalCount } }"


def blocked_in_graphql(live: LiveHub) -> list[tuple[str, str, str, list[str]]]:
    """(order, supplier, invoice, reasons) of every blocked invoice, over every page."""
    found, after = [], None
    while True:
        page = ask(live, ORDERS, after=after)["purchaseOrders"]
        found += [
            (po["number"], po["supplier"], i["invoiceNumber"], i["blockReasons"])
            for po in page["items"] for i in po["invoices"] if i["matchStatus"] == "blocked"
        ]  # fmt: skip
        if not page["hasNextPage"]:
            return sorted(found)
        after = page["endCursor"]


def listed(live: LiveHub, role: Role = Role.AP, **params: Any) -> httpx.Response:
    url = f"{live.url}/console/blocked-invoices"
    return httpx.get(url, params=params, headers=bearer(live, role))


def test_the_blocked_invoices_are_listed_with_their_reasons_and_their_orders(
    live: LiveHub,
) -> None:
    expected = blocked_in_graphql(live)
    assert expected and all(reasons for *_, reasons in expected)  # the demo has some

    answer = listed(live)

    assert answer.status_code == 200, answer.text
    page = answer.json()
    got = [
        (i["po_number"], i["supplier"], i["invoice_number"], i["reasons"]) for i in page["items"]
    ]
    assert got == expected
    assert page["total_count"] == len(expected)
    assert page["has_next_page"] is False and page["end_cursor"] is None


def test_the_blocked_invoices_page_by_cursor_one_at_a_time_to_the_same_list(
    live: LiveHub,
) -> None:
    expected = blocked_in_graphql(live)
    seen, after, pages = [], None, 0
    while True:
        page = listed(live, first=1, **({"after": after} if after else {})).json()
        pages += 1
        assert page["total_count"] == len(expected)
        seen += [(i["po_number"], i["invoice_number"]) for i in page["items"]]
        if not page["has_next_page"]:
            break
        after = page["end_cursor"]

    assert seen == [(po, number) for po, _, number, _ in expected]
    assert pages == len(expected)


def test_the_blocked_invoices_of_one_supplier_are_only_its_own(live: LiveHub) -> None:
    expected = blocked_in_graphql(live)
    supplier = expected[0][1]

    page = listed(live, supplier=supplier).json()

    mine = [number for _, who, number, _ in expected if who == supplier]
    assert [i["invoice_number"] for i in page["items"]] == mine
    assert page["total_count"] == len(mine)


def test_a_supplier_or_a_connector_is_refused_the_blocked_invoices(live: LiveHub) -> None:
    for refused in (Role.SUPPLIER, Role.CONNECTOR):
        assert listed(live, refused).status_code == 403, refused
    for allowed in (Role.BUYER, Role.AP, Role.AUDITOR, Role.ADMIN):
        assert listed(live, allowed).status_code == 200, allowed


def test_bad_paging_parameters_are_refused_naming_the_parameter(live: LiveHub) -> None:
    for params, field in (
        ({"first": 0}, "first"), ({"first": 101}, "first"), ({"first": "many"}, "first"),
        ({"after": "not-a-cursor"}, "after"), ({"limit": 5}, "limit"),
    ):  # fmt: skip
        answer = listed(live, **params)
        assert answer.status_code == 422, (params, answer.text)
        assert field in answer.text, (params, answer.text)


def test_the_work_list_counts_are_what_their_lists_hold(live: LiveHub) -> None:
    answer = httpx.get(f"{live.url}/console/counts", headers=bearer(live, Role.AP))

    counts = answer.json()
    variances = ask(live, CATEGORY, c="quantity_variance")["exceptions"]["totalCount"]
    assert counts["receipt_variances"] == variances > 0  # the demo's receipts have variances
    for name, argument in (("late_responses", "ackOverdue"), ("missing_asns", "asnMissing")):
        query = f"{{ purchaseOrders({argument}: true, first: 1) {{ totalCount }} }}"
        assert counts[name] == ask(live, query)["purchaseOrders"]["totalCount"] > 0, name
