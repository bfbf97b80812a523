"""An EDI partner for the console's tests: SUP-BOREAL's profile, an 855 written here for one of
its demo orders, and the gateway's mailbox path (`EdiOutbound.receive`, what the outbound worker
runs on a partner's mailbox) that parks an interchange it cannot read."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from live_server import LiveHub

from connectors.cxml.secret import hash_secret
from storage.payloads import payload_ref
from supplyhub.workers import build_edi

PARTNER, SUPPLIER = "boreal", "SUP-BOREAL"
ORDERS = """{ purchaseOrders(first: 100) { items { number supplier status needsAction revision
  shipments { asnNumber } lines { lineNumber orderedQuantity uom unitPrice needBy } } } }"""


def write_profile(live: LiveHub, units: dict[str, str]) -> None:
    """The partner's profile as operations keep it (docs/edi.md); no url: nothing is sent."""
    profile = {
        "partner": PARTNER, "supplier": SUPPLIER, "dialect": "x12", "version": "004010",
        "ours": {"qualifier": "ZZ", "id": "BUYERHUB"},
        "theirs": {"qualifier": "ZZ", "id": "BOREAL"},
        "units": units, "currency": "EUR",
    }  # fmt: skip
    live.settings.partner_dir.mkdir(parents=True, exist_ok=True)
    (live.settings.partner_dir / f"{PARTNER}.json").write_text(json.dumps(profile))


def an_open_order(live: LiveHub, token: str, skip: int = 0) -> dict[str, Any]:
    """One of SUP-BOREAL's orders waiting for its answer, with nothing shipped yet."""
    answer = httpx.post(f"{live.url}/graphql", json={"query": ORDERS},
                        headers={"Authorization": f"Bearer {token}"}).json()  # fmt: skip
    orders = answer["data"]["purchaseOrders"]["items"]
    found = [
        po for po in orders
        if po["supplier"] == SUPPLIER and po["needsAction"] and not po["shipments"]
    ]  # fmt: skip
    chosen: dict[str, Any] = found[skip]
    return chosen


def acknowledgement(po: dict[str, Any], unit: str, control: int) -> bytes:
    """The partner's 855 accepting every line as ordered, its quantities in ``unit``."""
    body = [f"BAK*00*AC*{po['number']}*20261204", f"REF*PP*{po['revision']}"]
    for line in po["lines"]:
        need_by = line["needBy"].replace("-", "")
        body += [
            f"PO1*{line['lineNumber']}*{line['orderedQuantity']}*{unit}*{line['unitPrice']}",
            f"ACK*IA*{line['orderedQuantity']}*{unit}*067*{need_by}",
        ]
    body.append(f"CTT*{len(po['lines'])}")
    sets = ["ST*855*0001", *body, f"SE*{len(body) + 2}*0001"]
    isa = "*".join([
        "ISA", "00", " " * 10, "00", " " * 10, "ZZ", "BOREAL".ljust(15), "ZZ",
        "BUYERHUB".ljust(15), "261204", "1030", "U", "00401", f"{control:09d}", "0", "T", ">",
    ])  # fmt: skip
    segments = [isa, "GS*PR*BOREAL*BUYERHUB*20261204*1030*7*X*004010", *sets, "GE*1*7",
                f"IEA*1*{control:09d}"]  # fmt: skip
    return "~\n".join(segments).encode() + b"~\n"


def collect(live: LiveHub, interchange: bytes) -> str:
    """The interchange as the gateway takes it from the partner's mailbox; its reference."""
    gateway = build_edi(live.settings, live.hub)  # as `supplyhub worker edi` builds it
    gateway.receive(PARTNER, interchange)
    return payload_ref(interchange)


CXML_PARTNER, CXML_SECRET = "cypress-cxml", "cypress-shared-secret"


def a_cxml_document_received(live: LiveHub) -> None:
    """A cXML partner (its profile written as operations keep it) sends a document to
    `POST /cxml`; its credentials hold, so the hub keeps it, whatever it answers."""
    profile = {
        "partner": CXML_PARTNER, "supplier": "SUP-CYPRESS", "dialect": "cxml",
        "version": "1.2.050", "ours": {"qualifier": "NetworkID", "id": "AN-BUYERHUB"},
        "theirs": {"qualifier": "DUNS", "id": "CYPRESS-9"},
        "cxml": {"sender": {"domain": "NetworkID", "identity": "AN-CYPRESS-9"},
                 "secret_hash": hash_secret(CXML_SECRET, iterations=1000)},
    }  # fmt: skip
    live.settings.partner_dir.mkdir(parents=True, exist_ok=True)
    (live.settings.partner_dir / f"{CXML_PARTNER}.json").write_text(json.dumps(profile))
    document = f"""<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="console-{uuid.uuid4()}@cypress" timestamp="2026-12-05T02:00:00+00:00">
  <Header>
    <From><Credential domain="DUNS"><Identity>CYPRESS-9</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>AN-BUYERHUB</Identity></Credential></To>
    <Sender><Credential domain="NetworkID"><Identity>AN-CYPRESS-9</Identity>
      <SharedSecret>{CXML_SECRET}</SharedSecret></Credential>
      <UserAgent>Cypress desk</UserAgent></Sender>
  </Header>
  <Request><ConfirmationRequest/></Request>
</cXML>"""
    answer = httpx.post(f"{live.url}/cxml", content=document.encode(),
                        headers={"Content-Type": "text/xml"})  # fmt: skip
    assert answer.status_code < 500, answer.text
