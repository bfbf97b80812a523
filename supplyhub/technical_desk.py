"""The console's technical desk on the hub's stores (api/technical.py is the port): the
backbone's positions, the partner channels (EDI from the gateway's tables `edi_outbound` and
`edi_parked`, cXML from `cxml_orders`; the traffic in and out of both from the payload
index, one grouped query), the ERP adapter's status, the replay of a parked
interchange through the inbound path and the republish of a log range to NATS. Each replay is
recorded beside the dead letters' releases (the inbound store's actions), with who and why."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from api.technical import (
    BackbonePosition,
    Channels,
    ErpAdapter,
    ParkedDocument,
    PartnerChannel,
    Replayed,
    SentDocument,
)
from connectors.cxml.outbound import WRITTEN, CxmlOrders, SentOrder
from connectors.edi.errors import EdiSyntaxError
from connectors.gateway.directory import PartnerDirectory
from connectors.gateway.functional_acks import Expected, FunctionalAcks
from connectors.gateway.inbound import EdiInbound
from connectors.gateway.outbound import OutboundDocuments, apply_interchange
from connectors.gateway.profile import Dialect, PartnerProfile
from connectors.nats.dead_letters import Action, DeadLetterStore
from connectors.workers.positions import PositionStore
from domain.application import SupplyHub
from domain.errors import ConflictError, DomainError, NotFoundError, ValidationError
from storage.payload_index import Traffic
from storage.payloads import (
    DatabasePayloadStore,
    PayloadStore,
    UnknownPayloadError,
    payload_ref,
)
from supplyhub import erp, workers
from supplyhub.bootstrap import schema_lock
from supplyhub.edi_transports import payload_store
from supplyhub.settings import Settings

_NONE = Traffic(0, "")
_EPOCH = datetime.min.replace(tzinfo=UTC)


def _moment(value: str) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class _Stores:
    documents: OutboundDocuments
    positions: PositionStore
    payloads: PayloadStore | DatabasePayloadStore
    cxml: CxmlOrders
    acks: FunctionalAcks


# The order an interchange names: X12 855 BAK03, 856 PRF01, 810 BIG04; EDIFACT RFF+ON.
_ORDER = re.compile(
    rb"(?:BAK.\d\d.\w\w.|PRF.|BIG.\d{8}.[^\n~'.]*.\d*.|RFF\+ON:)([A-Za-z0-9][A-Za-z0-9_-]*)"
)


@dataclass
class StoredTechnicalDesk:
    """Opens its tables on first use, as the dead-letter desk does: an app on a read-only
    store still starts."""

    settings: Settings
    hub: SupplyHub
    directory: PartnerDirectory  # the event-sourced profiles, as the gateway reads them
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    _stores: _Stores | None = field(default=None, init=False)
    _actions: DeadLetterStore | None = field(default=None, init=False)

    def _opened(self) -> _Stores:
        if self._stores is None:
            with schema_lock(self.settings):  # the stores create their tables
                database = workers.open_database(self.settings)
                payloads, cxml = payload_store(self.settings, database), CxmlOrders(database)
                cxml.create_tables()
                stores = _Stores(OutboundDocuments(database), PositionStore(database),
                                 payloads, cxml, FunctionalAcks(database))  # fmt: skip
            if payloads.index is not None and payloads.index.is_empty():
                payloads.index.backfill(payloads.kept())  # kept before there was an index
            self._stores = stores
        return self._stores

    @property
    def documents(self) -> OutboundDocuments:
        return self._opened().documents

    @property
    def partners(self) -> EdiInbound:
        return EdiInbound(self.directory)

    @property
    def payloads(self) -> PayloadStore | DatabasePayloadStore:
        return self._opened().payloads

    def _record(self, done: Replayed) -> Replayed:
        if self._actions is None:
            self._actions = workers.dead_letter_store(self.settings)
        self._actions.record(Action(done.target, done.action, done.actor, done.reason,
                                    done.applied, done.problem, done.at))  # fmt: skip
        return done

    # --- reading ----------------------------------------------------------------------------

    def positions(self) -> list[BackbonePosition]:
        head = self.hub.recorder.max_notification_id() or 0
        found = [
            BackbonePosition(name, at, head, max(0, head - at))
            for name, at in self._opened().positions.all().items()
        ]
        return [*found, _inbound_position(self.settings)]

    def channels(self) -> Channels:
        stores = self._opened()
        sent, parked = stores.documents.sent(), stores.documents.parked()
        index = stores.payloads.index
        traffic = index.traffic() if index is not None else {}
        cxml = stores.cxml.totals()
        profiles = {p.partner: p for p in _profiles(self.partners)}
        names = sorted({*profiles, *(s[1] for s in sent), *(p[1] for p in parked), *cxml})
        partners = []
        for name in names:
            profile = profiles.get(name)
            out = sum(1 for s in sent if s[1] == name and not s[3])
            refused = sum(1 for s in sent if s[1] == name and s[3])
            if profile is not None and profile.dialect is Dialect.CXML:
                out, refused, _ = cxml.get(name, (0, 0, ""))
            stuck = sum(1 for p in parked if p[1] == name)
            theirs, ours = (profile.theirs.id, profile.ours.id) if profile else ("", "")
            ins = traffic.get((theirs, ours), _NONE)
            outs = traffic.get((ours, theirs), _NONE)
            handled = out + refused + ins.count
            partners.append(PartnerChannel(
                name, profile.supplier if profile else "",
                profile.dialect.value if profile else "", outs.last, ins.last, out, refused,
                stuck, round((refused + stuck) / handled, 4) if handled else 0.0, ins.count,
            ))  # fmt: skip
        return Channels(partners, [self._parked(*each) for each in parked])

    def _parked(self, ref: str, partner: str, reason: str, at: str) -> ParkedDocument:
        try:
            orders = orders_named(self.payloads.get(ref))
        except UnknownPayloadError:
            orders = []
        return ParkedDocument(ref, partner, reason, at, orders)

    def sent_about(self, po_number: str) -> list[SentDocument]:
        """The order's 850s / ORDERS and changes (from the acks the gateway awaits, with the
        bytes it kept) and its cXML OrderRequests, each with the partner's answer."""
        stores = self._opened()
        found = [self._edi_sent(stores, each) for each in stores.acks.for_order(po_number)]
        found += [self._cxml_sent(order, sent) for order, sent in stores.cxml.for_order(po_number)]
        return sorted(found, key=lambda each: (each.sent_at is None, each.sent_at or _EPOCH))

    def _edi_sent(self, stores: _Stores, expected: Expected) -> SentDocument:
        kept = stores.documents.by_control(expected.partner, expected.control)
        position, sent = kept if kept is not None else (0, b"")
        x12 = expected.document.split(" ")[0].isdigit()  # "850 12"; "ORDERS 12"
        answer = f"{'997' if x12 else 'CONTRL'} {expected.result}" if expected.result else ""
        return SentDocument(
            expected.partner, "edi", f"{'X12' if x12 else 'EDIFACT'} {expected.document}",
            expected.sent_at, payload_ref(sent) if sent else "", self._version_at(position),
            answer, _moment(expected.acked_at), expected.detail,
        )  # fmt: skip

    def _cxml_sent(self, order: SentOrder, sent: bytes) -> SentDocument:
        answered = order.state != WRITTEN
        return SentDocument(
            order.partner, "cxml", f"cXML OrderRequest {order.payload_id}".rstrip(),
            _moment(order.at), payload_ref(sent) if sent else "",
            self._version_at(order.position),
            f"cXML {order.code} {order.state}" if answered else "",
            _moment(order.at) if answered else None, order.detail,
        )  # fmt: skip

    def _version_at(self, position: int) -> int:
        """The version of the order whose event is at ``position`` in the log (0: unknown)."""
        found = self.hub.recorder.select_notifications(position, 1) if position else []
        return int(found[0].originator_version) if found and found[0].id == position else 0

    def erp(self) -> ErpAdapter:
        try:
            found = erp.status(self.settings, self.hub)
        except erp.ErpNotConfiguredError as error:
            return ErpAdapter(False, str(error))
        except Exception as error:  # the ERP's state unreadable: say so on the panel
            return ErpAdapter(True, f"status unreadable: {error!r}")
        return ErpAdapter(True, "", dict(found))

    # --- replays ----------------------------------------------------------------------------

    def replay_parked(self, ref: str, *, actor: str, reason: str) -> Replayed:
        documents = self.documents
        kept = next((p for p in documents.parked() if p[0] == ref), None)
        if kept is None:
            raise NotFoundError("parked interchange", ref)
        profile = self.partners.profile(kept[1])
        try:
            interchange = self.payloads.get(ref)
        except UnknownPayloadError:
            raise NotFoundError("archived payload", ref) from None
        now = self.clock()
        try:
            results = apply_interchange(self.hub, self.partners, profile, interchange, ref, now)
        except EdiSyntaxError as error:  # still unreadable: it stays parked
            return self._record(Replayed(ref, "replay", actor, reason, 0, 0, str(error),
                                         now.isoformat()))  # fmt: skip
        documents.unpark(ref)
        applied = sum(1 for r in results if not isinstance(r, DomainError) and not r.replayed)
        replayed = sum(1 for r in results if not isinstance(r, DomainError) and r.replayed)
        refused = [str(r) for r in results if isinstance(r, DomainError)]
        problem = f"{len(refused)} refused: {refused[0]}" if refused else ""
        return self._record(
            Replayed(ref, "replay", actor, reason, applied, replayed, problem, now.isoformat())
        )

    def republish(self, start: int, stop: int | None, *, actor: str, reason: str) -> Replayed:
        if start < 1 or (stop is not None and stop < start):
            raise ValidationError("from", "must be at least 1, and to not before from")
        try:
            relay = workers.build_relay(self.settings, self.hub)
        except workers.NatsNotConfiguredError:
            raise ValidationError(
                "nats", "SUPPLYHUB_NATS_URL is not set: there is no stream"
            ) from None
        try:
            sent = asyncio.run(relay.replay(start, stop))
        except Exception as error:  # NATS unreachable, stream missing: the operator's to see
            raise ConflictError(f"republish failed: {error!r}") from None
        target = f"log:{start}-{stop if stop is not None else 'head'}"
        now = self.clock().isoformat()
        return self._record(Replayed(target, "republish", actor, reason, sent, 0, "", now))


def orders_named(interchange: bytes) -> list[str]:
    """The purchase orders an interchange names, in order, once each (best effort: a
    document refused for its syntax may be cut anywhere)."""
    return list(dict.fromkeys(m.decode() for m in _ORDER.findall(interchange)))


def _profiles(partners: EdiInbound) -> list[PartnerProfile]:
    try:
        return partners.profiles()
    except DomainError:  # one unreadable profile: the tables still tell their partners
        return []


def _inbound_position(settings: Settings) -> BackbonePosition:
    """The NATS inbound consumer: what it acknowledged and what waits in its stream."""
    name = "inbound (NATS)"
    if not settings.nats_url:
        return BackbonePosition(name, 0, 0, 0, "SUPPLYHUB_NATS_URL is not set")
    try:
        floor, pending = asyncio.run(_consumer(settings))
    except Exception as error:
        return BackbonePosition(name, 0, 0, 0, f"unreachable: {error!r}")
    return BackbonePosition(name, floor, floor + pending, pending)


async def _consumer(settings: Settings) -> tuple[int, int]:
    import nats

    nc = await nats.connect(settings.nats_url, connect_timeout=2, max_reconnect_attempts=0)
    try:
        info = await nc.jetstream().consumer_info(
            settings.nats_stream_commands, settings.nats_inbound_durable, timeout=2
        )
    finally:
        await nc.close()
    pending = (info.num_pending or 0) + (info.num_ack_pending or 0)
    return (info.ack_floor.stream_seq if info.ack_floor else 0) or 0, pending
