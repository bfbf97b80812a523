"""The console's technical routes over HTTP against a real uvicorn and the demo data: partner
channels with their parked interchanges, the replay of one through its inbound path (recorded,
idempotent), the backbone's positions, the ERP adapter, the API's own latency and error rates,
the republish of a log range (refused without NATS), and a parked interchange on its order's
trace."""

from __future__ import annotations

from typing import Any

import httpx
from browser import bearer, token
from live_server import LiveHub
from parked_edi import PARTNER, acknowledgement, an_open_order, collect, write_profile

from api.auth import Role


def channels(live: LiveHub) -> dict[str, Any]:
    answer = httpx.get(f"{live.url}/console/channels", headers=bearer(live, Role.AUDITOR))
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def replay(live: LiveHub, ref: str, role: Role = Role.ADMIN) -> httpx.Response:
    return httpx.post(f"{live.url}/console/parked/{ref}/replay",
                      json={"reason": "units table fixed"}, headers=bearer(live, role))  # fmt: skip


def order(live: LiveHub, number: str) -> dict[str, Any]:
    query = "query($n: String!) { purchaseOrder(number: $n) { needsAction acknowledgedRevision } }"
    answer = httpx.post(f"{live.url}/graphql", json={"query": query, "variables": {"n": number}},
                        headers=bearer(live, Role.BUYER)).json()  # fmt: skip
    found: dict[str, Any] = answer["data"]["purchaseOrder"]
    return found


def test_a_parked_interchange_is_listed_under_its_partner_with_the_order_it_holds_up(
    live: LiveHub,
) -> None:
    write_profile(live, {"EA": "EA"})
    po = an_open_order(live, token(live, Role.ADMIN), skip=0)
    ref = collect(live, acknowledgement(po, "PC", control=901))

    found = channels(live)

    parked = next(p for p in found["parked"] if p["ref"] == ref)
    assert parked["partner"] == PARTNER
    assert "'PC' is not in the partner's units table" in parked["reason"]
    assert parked["purchase_orders"] == [po["number"]]
    boreal = next(p for p in found["partners"] if p["partner"] == PARTNER)
    assert boreal["supplier"] == "SUP-BOREAL"
    assert boreal["parked"] >= 1
    assert boreal["last_in"] != ""
    assert 0 < boreal["error_rate"] <= 1
    trace = httpx.get(f"{live.url}/console/purchase-orders/{po['number']}/trace",
                      headers=bearer(live, Role.BUYER)).json()  # fmt: skip
    assert [p["ref"] for p in trace["parked"]] == [ref]
    for refused in (Role.AP, Role.SUPPLIER, Role.CONNECTOR):
        denied = httpx.get(f"{live.url}/console/channels", headers=bearer(live, refused))
        assert denied.status_code == 403, refused


def test_the_operator_replays_a_parked_interchange_once_its_profile_is_fixed(
    live: LiveHub,
) -> None:
    write_profile(live, {"EA": "EA"})
    po = an_open_order(live, token(live, Role.ADMIN), skip=1)
    ref = collect(live, acknowledgement(po, "PC", control=902))
    for refused in (Role.BUYER, Role.AUDITOR, Role.AP, Role.SUPPLIER):
        assert replay(live, ref, refused).status_code == 403, refused

    write_profile(live, {"EA": "EA", "PC": "EA"})
    done = replay(live, ref)

    assert done.status_code == 200, done.text
    assert done.json() | {"at": ""} == {
        "target": ref, "action": "replay", "actor": "admin-user",
        "reason": "units table fixed", "applied": 1, "replayed": 0, "problem": "", "at": "",
    }  # fmt: skip
    assert ref not in [p["ref"] for p in channels(live)["parked"]]
    live.read_side.runner.wait_until(live.hub.recorder.max_notification_id() or 0, 10)
    assert order(live, po["number"]) == {"needsAction": False,
                                         "acknowledgedRevision": po["revision"]}  # fmt: skip
    recorded = httpx.get(f"{live.url}/console/dead-letters", headers=bearer(live, Role.AUDITOR))
    assert recorded.json()["actions"][0]["document"] == ref
    assert recorded.json()["actions"][0]["actor"] == "admin-user"
    assert replay(live, ref).status_code == 404  # nothing parked under it any more


def test_a_replay_of_what_was_applied_meanwhile_writes_nothing(live: LiveHub) -> None:
    write_profile(live, {"EA": "EA"})
    po = an_open_order(live, token(live, Role.ADMIN), skip=2)
    interchange = acknowledgement(po, "PC", control=903)
    ref = collect(live, interchange)
    write_profile(live, {"EA": "EA", "PC": "EA"})
    collect(live, interchange)  # the partner sent it again and it went through
    head = live.hub.recorder.max_notification_id()

    done = replay(live, ref)

    assert done.status_code == 200, done.text
    assert (done.json()["applied"], done.json()["replayed"]) == (0, 1)
    assert live.hub.recorder.max_notification_id() == head


def test_a_replay_that_still_cannot_be_read_leaves_it_parked_with_the_reason(
    live: LiveHub,
) -> None:
    write_profile(live, {"EA": "EA"})
    po = an_open_order(live, token(live, Role.ADMIN), skip=3)
    ref = collect(live, acknowledgement(po, "PC", control=904))

    done = replay(live, ref).json()

    assert done["applied"] == 0
    assert "'PC' is not in the partner's units table" in done["problem"]
    assert ref in [p["ref"] for p in channels(live)["parked"]]


def test_the_backbone_erp_and_api_panels_say_what_they_know(live: LiveHub) -> None:
    headers = bearer(live, Role.AUDITOR)
    httpx.get(f"{live.url}/console/dead-letters", headers=headers)
    httpx.get(f"{live.url}/console/purchase-orders/NOPE/trace", headers=headers)

    positions = httpx.get(f"{live.url}/console/backbone", headers=headers).json()
    erp = httpx.get(f"{live.url}/console/erp", headers=headers).json()
    routes = httpx.get(f"{live.url}/console/api-health", headers=headers).json()

    inbound = next(p for p in positions if p["worker"] == "inbound (NATS)")
    assert inbound["detail"] == "SUPPLYHUB_NATS_URL is not set"
    assert erp["configured"] is False
    assert "SUPPLYHUB_ERP_ADAPTER" in erp["detail"] or "SUPPLYHUB_ERP_URL" in erp["detail"]
    trace = next(r for r in routes if r["route"] == "/console/purchase-orders/{number}/trace")
    assert trace["client_errors"] >= 1
    listed = next(r for r in routes if r["route"] == "/console/dead-letters")
    assert listed["requests"] >= 1
    assert 0 < listed["p50_ms"] <= listed["p99_ms"]


def test_a_log_range_republish_without_nats_is_refused_naming_the_setting(live: LiveHub) -> None:
    url = f"{live.url}/console/replay"
    body = {"from": 1, "to": 10, "reason": "analytics lost a day"}
    assert httpx.post(url, json=body, headers=bearer(live, Role.BUYER)).status_code == 403

    refused = httpx.post(url, json=body, headers=bearer(live, Role.ADMIN))
    wrong = httpx.post(url, json={**body, "from": 0}, headers=bearer(live, Role.ADMIN))

    assert refused.status_code == 422
    assert "SUPPLYHUB_NATS_URL" in refused.json()["detail"]
    assert wrong.status_code == 422


def test_an_invoice_has_a_trace_of_its_own_naming_its_order(live: LiveHub) -> None:
    query = (
        "{ purchaseOrders(first: 100) { items { number supplier invoices { invoiceNumber } } } }"
    )
    found = httpx.post(f"{live.url}/graphql", json={"query": query},
                       headers=bearer(live, Role.ADMIN)).json()  # fmt: skip
    po = next(po for po in found["data"]["purchaseOrders"]["items"] if po["invoices"])
    label = f"invoice:{po['supplier']}:{po['invoices'][0]['invoiceNumber']}"
    url = f"{live.url}/console/documents/{label}/trace"

    trace = httpx.get(url, headers=bearer(live, Role.AUDITOR))
    unknown = httpx.get(
        url.replace(label, "invoice:SUP-ACME:NOPE"), headers=bearer(live, Role.AUDITOR)
    )
    wrong = httpx.get(url.replace(label, "po:1"), headers=bearer(live, Role.AUDITOR))

    assert trace.status_code == 200, trace.text
    assert trace.json()["purchase_orders"] == [po["number"]]
    assert trace.json()["steps"][0]["event"] == "Invoice.Submitted"
    assert {s["document"] for s in trace.json()["steps"]} <= {label} | {
        d for d in trace.json()["documents"] if d.startswith("exception:")
    }
    assert (unknown.status_code, wrong.status_code) == (404, 422)
    assert httpx.get(url, headers=bearer(live, Role.AP)).status_code == 403
