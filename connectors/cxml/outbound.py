"""Outbound cXML: each PO released, revised or cancelled for a cXML partner becomes an
``OrderRequest`` (new / update / delete) POSTed to the partner's endpoint.

The gateway's tracked subscriber (connectors/gateway/outbound.py, `supplyhub worker edi`)
reads the events and hands a cXML partner's here, so EDI and cXML orders leave in one log
order. Each OrderRequest is written once per event and kept (`CxmlOrders`): a retry sends the
same bytes with the same payloadID. What is kept and archived has the hub's shared secret
replaced by a mark; the secret (from `CxmlSecrets`, never logged) goes in only as the bytes
leave. A supplier away (refused, timed out, 5xx, 429) raises, for the loop to back off and
retry the same event; a 4xx, or a cXML Status that is not 2xx, is a technical failure kept
for operations (`supplyhub cxml orders --failed`), and the next event goes on.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from connectors.cxml.errors import CxmlError
from connectors.cxml.node import Node
from connectors.cxml.order_request import Operation, payload_id, write_order_request
from connectors.cxml.safe_xml import MAX_DOCUMENT_BYTES, parse
from connectors.cxml.status_update import StatusUpdate
from connectors.gateway.outbound import PartnerUnavailableError, outbound_order
from connectors.gateway.profile import PartnerProfile, UnknownMappingError
from domain.purchase_order import PurchaseOrder
from storage.database import Database, Transaction
from storage.payloads import Payloads

log = logging.getLogger(__name__)

OPERATIONS = {"Released": Operation.NEW, "Revised": Operation.UPDATE, "Cancelled": Operation.DELETE}
# Where the shared secret stands in what is kept and archived: the secret store holds it.
MARK = "kept-in-the-hub-secret-store"
WRITTEN, DELIVERED, FAILED = "written", "delivered", "failed"


class MissingSecretError(LookupError):
    """No outbound shared secret under the name the profile gives."""


class CxmlSecrets:
    """The hub's own shared secrets at its cXML suppliers, by name (a profile's
    ``outbound_secret``). Never in a repr, a log line or an archived document."""

    def __init__(self, secrets: Mapping[str, str]) -> None:
        self._secrets = {name: secret for name, secret in secrets.items() if secret}

    def __repr__(self) -> str:
        return f"CxmlSecrets({sorted(self._secrets)})"

    def get(self, name: str) -> str | None:
        return self._secrets.get(name)


@dataclass(frozen=True, slots=True)
class SentOrder:
    """One OrderRequest as operations see it (`supplyhub cxml orders`)."""

    position: int
    partner: str
    po_number: str
    payload_id: str
    state: str  # written (not answered yet), delivered, failed
    code: int  # the supplier's cXML Status code (or HTTP status); 0 before an answer
    detail: str
    at: str
    status: str = ""  # the supplier's latest StatusUpdateRequest on it: "code text: detail"


class CxmlOrders:
    """Per event, the OrderRequest written for it and what became of it."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._ready = False  # the tables are made on first use: the API starts without them

    def create_tables(self) -> None:
        with self._db.transaction() as tx:
            tx.execute(
                "CREATE TABLE IF NOT EXISTS cxml_orders (position BIGINT PRIMARY KEY, "
                "partner TEXT NOT NULL, po TEXT NOT NULL, payload_id TEXT NOT NULL, "
                f"document {self._db.blob} NOT NULL, state TEXT NOT NULL, "
                "code INTEGER NOT NULL DEFAULT 0, detail TEXT NOT NULL DEFAULT '', "
                "at TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT '')"
            )
            tx.execute("CREATE INDEX IF NOT EXISTS cxml_orders_po ON cxml_orders (po)")
            tx.execute(
                "CREATE TABLE IF NOT EXISTS cxml_status_updates (partner TEXT NOT NULL, "
                "payload_id TEXT NOT NULL, body TEXT NOT NULL, order_payload_id TEXT NOT NULL, "
                "at TEXT NOT NULL, PRIMARY KEY (partner, payload_id))"
            )
        self._ready = True

    def _transaction(self) -> AbstractContextManager[Transaction]:
        if not self._ready:
            self.create_tables()
        return self._db.transaction()

    def written(self, position: int, partner: str, po: str, payload: str,
                write: Callable[[], bytes]) -> tuple[str, bytes]:  # fmt: skip
        """(payloadID, document) for the event at ``position``: as first written, else now."""
        with self._transaction() as tx:
            kept = tx.execute(
                "SELECT payload_id, document FROM cxml_orders WHERE position = %s", (position,)
            )
            if kept:
                return str(kept[0][0]), bytes(kept[0][1])
            document = write()
            tx.execute(
                "INSERT INTO cxml_orders (position, partner, po, payload_id, document, state) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                (position, partner, po, payload, document, WRITTEN),
            )
        return payload, document

    def record(self, position: int, partner: str, po: str, state: str, code: int,
               detail: str, at: datetime) -> None:  # fmt: skip
        """What became of the event's OrderRequest (kept with an empty one if none was)."""
        with self._transaction() as tx:
            tx.execute(
                "INSERT INTO cxml_orders (position, partner, po, payload_id, document, state) "
                "VALUES (%s, %s, %s, '', %s, %s) ON CONFLICT (position) DO NOTHING",
                (position, partner, po, b"", state),
            )
            tx.execute(
                "UPDATE cxml_orders SET state = %s, code = %s, detail = %s, at = %s "
                "WHERE position = %s",
                (state, code, detail[:1000], at.isoformat(), position),
            )

    def status_updated(self, partner: str, payload: str, body: str, update: StatusUpdate,
                       at: datetime) -> tuple[int, str]:  # fmt: skip
        """Record the partner's StatusUpdateRequest ``payload`` (its body's reference ``body``)
        on the OrderRequest it names: the cXML status to answer. The same update again is
        answered 200 and writes nothing; its payloadID with another body is a 409."""
        status = f"{update.code} {update.text}: {update.detail}" if update.detail else (
            f"{update.code} {update.text}")  # fmt: skip
        with self._transaction() as tx:
            seen = tx.execute(
                "SELECT body FROM cxml_status_updates WHERE partner = %s AND payload_id = %s",
                (partner, payload),
            )
            if seen:
                same = str(seen[0][0]) == body
                return (200, "") if same else (409, "this payloadID was already used for "
                                               "another document")  # fmt: skip
            updated = tx.execute(
                "UPDATE cxml_orders SET status = %s WHERE partner = %s AND payload_id = %s "
                "RETURNING position",
                (status, partner, update.order_payload_id),
            )
            if not updated:
                return 400, (
                    "/cXML/Request/StatusUpdateRequest/DocumentReference/@payloadID: "
                    f"{update.order_payload_id!r} is no OrderRequest the hub sent this partner"
                )
            tx.execute(
                "INSERT INTO cxml_status_updates (partner, payload_id, body, order_payload_id, "
                "at) VALUES (%s, %s, %s, %s, %s)",
                (partner, payload, body, update.order_payload_id, at.isoformat()),
            )
        return 200, ""

    def orders(self, *, failed_only: bool = False) -> list[SentOrder]:
        """Every OrderRequest (or only the failed), in log order."""
        if failed_only:
            return self._select("WHERE state = %s", (FAILED,))
        return self._select("", ())

    def for_order(self, po: str) -> list[tuple[SentOrder, bytes]]:
        """The OrderRequests about one order, each with the bytes sent, in log order."""
        with self._transaction() as tx:
            rows = tx.execute(
                "SELECT position, partner, po, payload_id, state, code, detail, at, status, "
                "document FROM cxml_orders WHERE po = %s ORDER BY position",
                (po,),
            )
        return [(_sent(*row[:9]), bytes(row[9])) for row in rows]

    def totals(self) -> dict[str, tuple[int, int, str]]:
        """Per partner: OrderRequests delivered, failed, and when the last was answered."""
        with self._transaction() as tx:
            rows = tx.execute(
                "SELECT partner, SUM(CASE WHEN state = %s THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN state = %s THEN 1 ELSE 0 END), MAX(at) FROM cxml_orders "
                "GROUP BY partner",
                (DELIVERED, FAILED),
            )
        return {str(p): (int(ok or 0), int(bad or 0), str(at or "")) for p, ok, bad, at in rows}

    def _select(self, where: str, params: tuple[object, ...]) -> list[SentOrder]:
        with self._transaction() as tx:
            rows = tx.execute(
                "SELECT position, partner, po, payload_id, state, code, detail, at, status "
                f"FROM cxml_orders {where} ORDER BY position",
                params,
            )
        return [_sent(*row) for row in rows]


class CxmlOutbound:
    """What the gateway's subscriber calls for a cXML partner's PO event."""

    def __init__(
        self,
        orders: CxmlOrders,
        payloads: Payloads,
        secrets: CxmlSecrets,
        *,
        host: str = "supplyhub",
        timeout_seconds: float = 10.0,
    ) -> None:
        self.orders = orders
        self.payloads = payloads
        self.secrets = secrets
        self.host = host
        self.timeout = timeout_seconds

    def send(self, position: int, po: PurchaseOrder, kind: str, profile: PartnerProfile,
             at: datetime) -> int:  # fmt: skip
        """POST the event's OrderRequest; 1 once the supplier answered, 0 if none went out.
        Raises `PartnerUnavailableError` (or an OSError) while the supplier is away."""
        terms = profile.cxml
        if terms is None or not terms.endpoint:
            return 0
        secret = self.secrets.get(terms.outbound_secret)
        try:
            if secret is None:
                raise MissingSecretError(
                    f"no outbound shared secret named {terms.outbound_secret!r} "
                    "(SUPPLYHUB_CXML_SECRET or SUPPLYHUB_CXML_SECRETS_FILE)"
                )
            order = outbound_order(po, kind, profile, at)
        except (UnknownMappingError, MissingSecretError) as error:
            log.error("cxml: %s of PO %s not sent to %s: %s", kind, po.number, profile.partner,
                      error)  # fmt: skip
            self.orders.record(position, profile.partner, po.number, FAILED, 0, str(error), at)
            return 0
        operation = OPERATIONS[kind]
        fresh = payload_id(order, operation, str(position), self.host)
        payload, kept = self.orders.written(
            position, profile.partner, po.number, fresh,
            lambda: write_order_request(order, profile, operation, fresh, at, MARK),
        )  # fmt: skip
        self.payloads.put(kept)
        code, detail = self._post(terms.endpoint, _with_secret(kept, secret))
        state = DELIVERED if 200 <= code < 300 else FAILED
        if state == FAILED:
            log.error("cxml: %s refused %s (PO %s): %s %s", profile.partner, payload,
                      po.number, code, detail)  # fmt: skip
        self.orders.record(position, profile.partner, po.number, state, code, detail, at)
        return 1

    def _post(self, url: str, document: bytes) -> tuple[int, str]:
        """The supplier's answer: its cXML Status (code, text and detail), or the HTTP
        status of a 4xx. Away, a 5xx or a 429: raised, for the loop to retry."""
        request = urllib.request.Request(url, data=document, method="POST")
        request.add_header("Content-Type", "text/xml; charset=utf-8")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return status_of_answer(bytes(response.read(MAX_DOCUMENT_BYTES + 1)))
        except urllib.error.HTTPError as error:
            if error.code >= 500 or error.code == 429:
                raise PartnerUnavailableError(f"{url} answered {error.code}") from None
            _, detail = status_of_answer(bytes(error.read(MAX_DOCUMENT_BYTES + 1)))
            return error.code, f"HTTP {error.code}; {detail}"


def _sent(position: object, partner: object, po: object, payload: object, state: object,
          code: object, detail: object, at: object, status: object) -> SentOrder:  # fmt: skip
    return SentOrder(int(str(position)), str(partner), str(po), str(payload), str(state),
                     int(str(code)), str(detail), str(at), str(status))  # fmt: skip


def status_of_answer(body: bytes) -> tuple[int, str]:
    """(code, "text: detail") of a cXML ``Response/Status``; an answer that is none is a
    failure (code 0) saying so."""
    try:
        status = Node.root(parse(body)).child("Response").child("Status")
        code = int(status.required("code"))
    except (CxmlError, ValueError) as error:
        return 0, f"the answer is not a cXML Response: {error}"
    detail = (status.element.text or "").strip()
    return code, f"{status.attr('text')}: {detail}" if detail else status.attr("text")


def _with_secret(document: bytes, secret: str) -> bytes:
    mark = f"<SharedSecret>{MARK}</SharedSecret>".encode()
    return document.replace(mark, f"<SharedSecret>{escape(secret)}</SharedSecret>".encode(), 1)
