"""Outbound EDI: a tracked subscriber of the event log that sends each purchase order a
partner trades by EDI as an 850 (X12) or ORDERS (EDIFACT), and takes the partner's answers.

Never a dual write: the ERP's release, revision and cancellation are events; this worker
reads them after its tracked position (the relay's `PositionStore`), in log order, and moves
the position only once a document went out. A partner that is down (refused, timed out, a
5xx) is a transient failure: the resilient loop (connectors/workers/loop.py) backs off and
the next try starts from the same event, so the orders of one PO reach it in order. Each
document is written once, with the partner's next control number, and kept
(`OutboundDocuments`): a retry sends the same bytes, and no control number is used twice.

The partner's answer (the synchronous body when it is an interchange, and what its mailbox
holds) goes through the same inbound path as ``POST /api/v1/edi``. A cXML partner's events go
to ``cxml`` instead (connectors/cxml/outbound.py: OrderRequests), in the same log order.
"""

from __future__ import annotations

import logging
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final, Protocol
from uuid import UUID

from eventsourcing.persistence import Notification

from connectors.edi.edifact.envelope import EdifactEnvelope
from connectors.edi.edifact.purchase_order import write_orders
from connectors.edi.order import OrderLine, OutboundOrder
from connectors.edi.x12.envelope import X12Envelope
from connectors.edi.x12.purchase_order import write_850
from connectors.gateway.ack_deadlines import open_overdue_cases
from connectors.gateway.control_numbers import next_control
from connectors.gateway.functional_acks import FunctionalAcks
from connectors.gateway.inbound import EdiInbound, apply_commands
from connectors.gateway.order_changes import change_kind, sends_changes, write_change
from connectors.gateway.profile import Dialect, EdiTerms, PartnerProfile, UnknownMappingError
from connectors.gateway.receiving import EdiReceiver, interchanges
from connectors.workers.positions import PositionStore
from domain.application import SupplyHub
from domain.errors import DomainError
from domain.outcome import Outcome
from domain.purchase_order import PurchaseOrder
from storage.database import Database, Transaction
from storage.payloads import Payloads

log = logging.getLogger(__name__)

_PO = "supplyhub:PurchaseOrder."
SENT_ON: Final = (f"{_PO}Released", f"{_PO}Revised", f"{_PO}Cancelled")


class ChannelOutbound(Protocol):
    """Another dialect's sender (connectors/cxml/outbound.py): the event's document out."""

    def send(self, position: int, po: PurchaseOrder, kind: str, profile: PartnerProfile,
             at: datetime) -> int: ...  # fmt: skip


class PartnerUnavailableError(ConnectionError):
    """The partner answered 5xx or 429: it is there but cannot take the document yet."""


class OutboundDocuments:
    """Per partner, the last control number used; per event, the document written for it.

    Allocating and keeping the document are one transaction, so a crash between them loses
    neither, and a retry of the same event sends the same bytes with the same number."""

    def __init__(self, database: Database) -> None:
        self._db = database
        with self._db.transaction() as tx:
            tx.execute(
                "CREATE TABLE IF NOT EXISTS edi_control_numbers "
                "(partner TEXT PRIMARY KEY, last BIGINT NOT NULL)"
            )
            tx.execute(
                "CREATE TABLE IF NOT EXISTS edi_outbound (position BIGINT PRIMARY KEY, "
                "partner TEXT NOT NULL, control BIGINT NOT NULL, "
                f"document {database.blob} NOT NULL, problem TEXT NOT NULL DEFAULT '')"
            )
            tx.execute(  # a trace finds the document a partner's control number names
                "CREATE INDEX IF NOT EXISTS edi_outbound_control ON edi_outbound (partner, control)"
            )
            tx.execute(
                "CREATE TABLE IF NOT EXISTS edi_parked (ref TEXT PRIMARY KEY, "
                "partner TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL, "
                f"ack {database.blob} NOT NULL)"
            )

    def written(self, position: int, partner: str, write: Callable[[int], bytes]) -> bytes:
        """The document for the event at ``position``: written now with the partner's next
        control number, or as it was written the first time."""
        with self._db.transaction() as tx:
            kept = tx.execute("SELECT document FROM edi_outbound WHERE position = %s", (position,))
            if kept:
                return bytes(kept[0][0])
            control = self._next(tx, partner)
            document = write(control)
            tx.execute(
                "INSERT INTO edi_outbound (position, partner, control, document) "
                "VALUES (%s, %s, %s, %s)",
                (position, partner, control, document),
            )
        return document

    def _next(self, tx: Transaction, partner: str) -> int:
        return next_control(self._db, tx, partner)

    def park(self, ref: str, partner: str, reason: str, at: datetime,
             write: Callable[[int], bytes]) -> bytes:  # fmt: skip
        """An interchange refused for its syntax, kept with the reason for operations, and
        our rejecting ack for it: written once (the partner's next control number), the same
        ack for the same interchange again."""
        with self._db.transaction() as tx:
            kept = tx.execute("SELECT ack FROM edi_parked WHERE ref = %s", (ref,))
            if kept:
                return bytes(kept[0][0])
            ack = write(self._next(tx, partner))
            tx.execute(
                "INSERT INTO edi_parked (ref, partner, reason, at, ack) "
                "VALUES (%s, %s, %s, %s, %s)",
                (ref, partner, reason, at.isoformat(), ack),
            )
        return ack

    def unpark(self, ref: str) -> bool:
        """Forget a parked interchange once it went through (the console's replay); False
        when nothing is parked under ``ref``."""
        with self._db.transaction() as tx:
            kept = tx.execute("SELECT ref FROM edi_parked WHERE ref = %s", (ref,))
            tx.execute("DELETE FROM edi_parked WHERE ref = %s", (ref,))
        return bool(kept)

    def last_control(self, partner: str) -> int:
        """The last control number used with ``partner`` (0 before the first)."""
        with self._db.transaction() as tx:
            rows = tx.execute("SELECT last FROM edi_control_numbers WHERE partner = %s", (partner,))
        return int(rows[0][0]) if rows else 0

    def parked(self) -> list[tuple[str, str, str, str]]:
        """(ref, partner, reason, at) of every interchange refused, oldest first."""
        with self._db.transaction() as tx:
            rows = tx.execute("SELECT ref, partner, reason, at FROM edi_parked ORDER BY at, ref")
        return [(str(r), str(p), str(reason), str(at)) for r, p, reason, at in rows]

    def refused(self, position: int, partner: str, problem: str) -> None:
        """An event that cannot become a document for the partner (a unit its table lacks):
        kept with the reason for operations; no control number is spent on it."""
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO edi_outbound (position, partner, control, document, problem) "
                "VALUES (%s, %s, 0, %s, %s) ON CONFLICT (position) DO NOTHING",
                (position, partner, b"", problem),
            )

    def control(self, position: int) -> int:
        """The control number of the document written for the event at ``position``."""
        with self._db.transaction() as tx:
            rows = tx.execute("SELECT control FROM edi_outbound WHERE position = %s", (position,))
        return int(rows[0][0]) if rows else 0

    def document(self, position: int) -> bytes:
        """The document written for the event at ``position`` (empty if it was refused)."""
        with self._db.transaction() as tx:
            rows = tx.execute("SELECT document FROM edi_outbound WHERE position = %s", (position,))
        return bytes(rows[0][0]) if rows else b""

    def by_control(self, partner: str, control: int) -> tuple[int, bytes] | None:
        """(log position of its event, the bytes sent) of the document with ``control``."""
        with self._db.transaction() as tx:
            rows = tx.execute(
                "SELECT position, document FROM edi_outbound WHERE partner = %s AND control = %s "
                "ORDER BY position LIMIT 1",
                (partner, control),
            )
        return (int(rows[0][0]), bytes(rows[0][1])) if rows else None

    def sent(self) -> list[tuple[int, str, int, str]]:
        """(position, partner, control, problem) of every event handled, in log order."""
        with self._db.transaction() as tx:
            rows = tx.execute(
                "SELECT position, partner, control, problem FROM edi_outbound ORDER BY position"
            )
        return [(int(p), str(partner), int(c), str(problem)) for p, partner, c, problem in rows]


def outbound_order(
    po: PurchaseOrder, kind: str, profile: PartnerProfile, issued: datetime
) -> OutboundOrder:
    """What the 850 / ORDERS says of the PO as it stands after its event ``kind``."""
    lines = tuple(
        OrderLine(
            line.line_number,
            line.item,
            line.quantity,
            _partner_unit(profile, line.uom),
            line.unit_price,
            line.need_by,
        )
        for line in sorted(po.lines.values(), key=lambda each: each.line_number)
    )
    return OutboundOrder(
        number=po.number,
        revision=po.revision - 1,  # the hub's revision 1 is the original order
        issued=issued.date(),
        buyer_id=profile.ours.id,
        supplier_id=profile.theirs.id,
        lines=lines,
        currency=po.currency,
        cancelled=kind == "Cancelled",
    )


def _partner_unit(profile: PartnerProfile, unit: str) -> str:
    """The partner's code for the hub's unit: the units table read backwards."""
    if not profile.units:
        return unit
    for theirs, ours in profile.units:
        if ours == unit:
            return theirs
    raise UnknownMappingError("units", unit)


def write_document(order: OutboundOrder, profile: PartnerProfile, control: int,
                   at: datetime) -> bytes:  # fmt: skip
    """The whole interchange for ``order`` in the partner's dialect and version, with its
    test indicator, delimiters and character set (``edi``; the standards' defaults without)."""
    terms = profile.edi or EdiTerms()
    if profile.dialect is Dialect.X12:
        envelope = X12Envelope(
            profile.ours.qualifier, profile.ours.id, profile.theirs.qualifier, profile.theirs.id,
            control, control, at, version=profile.version, test=terms.test,
        )  # fmt: skip
        return write_850(order, envelope, terms.x12_delimiters())
    edifact = EdifactEnvelope(
        profile.ours.id, profile.ours.qualifier, profile.theirs.id, profile.theirs.qualifier,
        str(control), at, test=terms.test,
    )  # fmt: skip
    return write_orders(order, edifact, terms.edifact_syntax(), profile.version, reference="1")


_EDI_START = re.compile(rb"\A\s*(ISA|UNA|UNB)")


class EdiOutbound:
    """The worker's steps; `supplyhub worker edi` runs `step` in the resilient loop."""

    def __init__(
        self,
        hub: SupplyHub,
        positions: PositionStore,
        documents: OutboundDocuments,
        partners: EdiInbound,
        payloads: Payloads,
        acks: FunctionalAcks,
        *,
        name: str = "edi-outbound",
        batch_size: int = 100,
        timeout_seconds: float = 10.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        cxml: ChannelOutbound | None = None,
        as2: Callable[[PartnerProfile, bytes], tuple[int, bytes]] | None = None,
    ) -> None:
        self.hub = hub
        self.cxml = cxml  # a cXML partner's orders go out as OrderRequests
        self.as2 = as2  # connectors/as2/sender.py, for partners whose profile has AS2 terms
        self.positions = positions
        self.documents = documents
        self.partners = partners
        self.payloads = payloads
        self.name = name
        self.batch_size = batch_size
        self.timeout = timeout_seconds
        self.clock = clock
        self.acks = acks
        self.receiver = EdiReceiver(partners, documents, acks, payloads, lambda: self.clock())

    def step(self) -> int:
        """Send what the log holds after the tracked position, then collect the partners'
        mailboxes; returns the number of documents sent. A partner that cannot be reached
        raises (transient): the position stays on the event not yet sent."""
        sent = 0
        position = self.positions.get(self.name)
        read = self.hub.recorder.select_notifications
        while batch := read(position + 1, self.batch_size, topics=SENT_ON):
            for notification in batch:  # only the events a partner is sent a document on
                sent += self._send(notification)
                position = notification.id
                self.positions.set(self.name, position)
        self.collect()
        self.deliver_acks()
        self.chase_acks()
        return sent

    def _send(self, notification: Notification) -> int:
        po: PurchaseOrder = self.hub.repository.get(
            UUID(str(notification.originator_id)), version=notification.originator_version
        )
        profile = self.partners.for_supplier(po.supplier)
        kind = notification.topic.rpartition(".")[2]
        now = self.clock()
        if profile is not None and profile.dialect is Dialect.CXML:
            return self.cxml.send(notification.id, po, kind, profile, now) if self.cxml else 0
        if profile is None or not (profile.url or profile.as2):
            return 0
        try:
            order = outbound_order(po, kind, profile, now)
            changes = sends_changes(profile, kind)
            before = self._before(notification, profile, now) if changes else order
        except UnknownMappingError as error:
            log.error("edi: %s of PO %s not sent to %s: %s", kind, po.number, profile.partner,
                      error)  # fmt: skip
            self.documents.refused(notification.id, profile.partner, str(error))
            return 0
        if changes:
            code = change_kind(profile)
            document = self.documents.written(
                notification.id, profile.partner,
                lambda control: write_change(before, order, profile, control, now),
            )  # fmt: skip
        else:
            code = "850" if profile.dialect is Dialect.X12 else "ORDERS"
            document = self.documents.written(
                notification.id, profile.partner,
                lambda control: write_document(order, profile, control, now),
            )  # fmt: skip
        self.payloads.put(document)
        control = self.documents.control(notification.id)
        self.acks.expect(profile.partner, control, po.number, f"{code} {control}", now)
        status, answer = self._post(profile, document)
        if status >= 400:
            log.error("edi: %s refused PO %s: %s %r", profile.partner, po.number, status,
                      answer[:300])  # fmt: skip
        elif _EDI_START.match(answer):
            self.receive(profile.partner, answer)
        return 1

    def _before(self, notification: Notification, profile: PartnerProfile,
                now: datetime) -> OutboundOrder:  # fmt: skip
        """The order as the partner last had it: the PO just before this event."""
        previous: PurchaseOrder = self.hub.repository.get(
            UUID(str(notification.originator_id)), version=notification.originator_version - 1
        )
        return outbound_order(previous, "Released", profile, now)

    def _post(self, profile: PartnerProfile, body: bytes) -> tuple[int, bytes]:
        """By AS2 when the profile has AS2 terms, else a plain HTTP POST to its url."""
        if profile.as2 is not None and self.as2 is not None:
            return self.as2(profile, body)
        return self._http(profile.url, body)

    def _http(self, url: str, body: bytes | None = None) -> tuple[int, bytes]:
        """(status, body) of a POST of ``body`` (a GET without one). Unreachable (refused,
        reset, timed out: an OSError), a 5xx or a 429: raised, for the loop to retry."""
        request = urllib.request.Request(url, data=body, method="POST" if body else "GET")
        edifact = (body or b"").lstrip().startswith((b"UNA", b"UNB"))
        request.add_header("Content-Type", f"application/{'edifact' if edifact else 'edi-x12'}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as error:
            if error.code >= 500 or error.code == 429:
                raise PartnerUnavailableError(f"{url} answered {error.code}") from None
            return error.code, bytes(error.read())

    def deliver_acks(self) -> None:
        """Our 997 / CONTRL not yet delivered (those written by ``POST /api/v1/edi`` too), by
        each partner's transport (AS2 or its ``url``); a partner away is raised, for the loop
        to retry."""
        for interchange, partner, ack in self.acks.unsent():
            profile = self._profile(partner)
            if profile is None or not (profile.url or profile.as2):
                continue
            status, answer = self._post(profile, ack)
            if status >= 400:
                log.error("edi: %s refused our ack of %s: %s %r", partner, interchange, status,
                          answer[:300])  # fmt: skip
            self.acks.delivered(interchange)

    def chase_acks(self) -> None:
        """An order document without the partner's functional ack in time: a case, once."""
        open_overdue_cases(self.hub, self.acks, self.partners.profiles(), self.clock())

    def _profile(self, partner: str) -> PartnerProfile | None:
        try:
            return self.partners.profile(partner)
        except DomainError:
            return None

    def collect(self) -> None:
        """Each partner's mailbox (``pickup_url``), through the inbound path."""
        for profile in self.partners.profiles():
            if not profile.pickup_url:
                continue
            status, body = self._http(profile.pickup_url)
            if status < 400 and body.strip():
                self.receive(profile.partner, body)

    def receive(self, partner: str, body: bytes) -> list[Outcome | DomainError]:
        """Apply each interchange of ``body`` as ``POST /api/v1/edi`` would, with the same
        message ids (a resend over either is a replay). Our 997 / CONTRL for them is kept
        and goes out with the step's `deliver_acks`, not here: behind ``POST /as2`` this runs
        inside the partner's request, which must not wait on (or fail with) a message back."""
        results: list[Outcome | DomainError] = []
        for interchange in interchanges(body):
            results.extend(self._receive_one(partner, interchange))
        return results

    def _receive_one(self, partner: str, interchange: bytes) -> list[Outcome | DomainError]:
        try:
            profile = self.partners.profile(partner)
        except DomainError as error:
            self.payloads.put(interchange)
            log.error("edi: from %s: %s", partner, error)
            return []
        received = self.receiver.receive_one(profile, interchange)
        if received.rejected:
            log.error("edi: %s from %s refused: %s", received.ref, partner, received.parked)
            if profile.url or profile.as2:
                self._post(profile, received.ack)
            return []
        if received.parked:
            log.error("edi: %s from %s partly refused: %s", received.ref, partner,
                      received.parked)  # fmt: skip
        return apply_commands(self.hub, partner, received.commands, received.ref, self.clock())


def apply_interchange(hub: SupplyHub, partners: EdiInbound, profile: PartnerProfile,
                      interchange: bytes, reference: str,
                      at: datetime) -> list[Outcome | DomainError]:  # fmt: skip
    """The inbound path of one interchange kept under ``reference``: translated, then each
    command applied under its message id (the same interchange again is a replay the hub
    answers with its first results). Raises `EdiSyntaxError` if it cannot be read; the
    console's replay of a parked interchange takes this path too."""
    found = partners.translate(profile, interchange)
    return apply_commands(hub, profile.partner, found, reference, at)
