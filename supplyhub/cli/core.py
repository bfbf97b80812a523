"""`supplyhub demo` and `supplyhub history`: seed a scenario; show a document's history."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from connectors.demo import run_scenario
from connectors.demo_partners import seed_partners
from connectors.gateway.partner_book import PartnerBook
from domain.application import SupplyHub
from projections.as_of import AsOf, purchase_order_as_of
from projections.document_history import history_json
from projections.store_faults import store_fault
from supplyhub.audit import position_of
from supplyhub.bootstrap import open_hub
from supplyhub.cli.output import add_json_flag, aware_time, fail, print_json
from supplyhub.partner_desk import open_register
from supplyhub.read_side import open_read_side
from supplyhub.settings import Settings


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="seed a realistic demo scenario into the configured store and summarise it",
        description="Seeds suppliers, purchase orders with revisions, acknowledgements (full, "
        "partial, changed, stale), ASNs, receipts with variances and invoices (one duplicate, "
        "some price mismatches). Safe to run twice: every message is idempotent.",
    )
    demo.add_argument("--purchase-orders", type=int, default=36, metavar="N", help="default: 36")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    demo.set_defaults(run=run_demo)

    history = subparsers.add_parser(
        "history",
        help="print a purchase order's event history and its state at a point, for auditors",
    )
    history.add_argument("po_number", metavar="PO-NUMBER")
    point = history.add_mutually_exclusive_group()
    point.add_argument(
        "--as-of", type=aware_time, metavar="TIME",
        help="state as recorded by this ISO time with its UTC offset, "
        "e.g. 2026-11-03T12:00:00+00:00 or 2026-11-03T12:00:00Z",
    )  # fmt: skip
    point.add_argument("--revision", type=int, metavar="N", help="state at revision N")
    add_json_flag(history)
    history.set_defaults(run=run_history)


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    hub = open_hub(settings)
    try:
        tally = run_scenario(hub, args.purchase_orders, args.seed)
        partners = seed_demo_partners(settings)
        caught_up = bring_views_up_to_date(settings, hub)
        print(f"Seeded the demo scenario into {describe_store(settings)}:")
        for status, count in sorted(tally.items()):
            print(f"  {count:4d} commands {status}")
        print(f"  {hub.recorder.max_notification_id() or 0:4d} events in the log")
        print(f"  {caught_up:4d} events applied to the read models")
        print(f"  {partners:4d} partner profiles (supplyhub partners list)")
        print("Try: supplyhub history 4500000004 --revision 1")
    finally:
        hub.close()
    return 0


def seed_demo_partners(settings: Settings) -> int:
    """A profile for each demo supplier on EDI or cXML; returns how many there are."""
    register = open_register(settings)
    try:
        return len(seed_partners(PartnerBook(register)))
    finally:
        register.close()


def bring_views_up_to_date(settings: Settings, hub: SupplyHub) -> int:
    """The read models catch up before the demo reports, so `serve` answers at once."""
    read_side = open_read_side(settings, hub, listen=False)
    try:
        return read_side.runner.catch_up()
    finally:
        read_side.close()


def describe_store(settings: Settings) -> str:
    if settings.uses_postgres:
        return f"PostgreSQL schema {settings.database_schema!r}"
    return str(settings.sqlite_file)


def run_history(args: argparse.Namespace, settings: Settings) -> int:
    hub = open_hub(settings)
    try:
        if args.json:
            return print_history_json(hub, args.po_number, args.revision, args.as_of)
        return print_history(hub, args.po_number, args.revision, args.as_of)
    except Exception as error:
        fault = store_fault(error)
        if fault is None or fault.kind != "corrupt_event":
            raise
        position = position_of(settings, fault.originator_id, fault.version)
        print(f"cannot show purchase order {args.po_number}: {fault.reason}; "
              f"log position {position}", file=sys.stderr)  # fmt: skip
        return 1
    finally:
        hub.close()


def print_history_json(
    hub: SupplyHub, number: str, revision: int | None, as_of: datetime | None
) -> int:
    """The same JSON as REST's GET /api/v1/purchase-orders/{number}/history."""
    point = purchase_order_as_of(hub, number, revision=revision, at=as_of)
    if not point.events:
        return fail(f"purchase order {number} not found")
    if point.revision_missing:
        return fail(f"revision {revision} does not exist")
    print_json(history_json(number, list(point.events), point.state()))
    return 0


def print_history(hub: SupplyHub, number: str, revision: int | None, as_of: datetime | None) -> int:
    point = purchase_order_as_of(hub, number, revision=revision, at=as_of)
    events = point.events
    if not events:
        return fail(f"purchase order {number} not found")
    print(f"History of purchase order {number} ({len(events)} events)")
    print(f"  {'ver':<4} {'recorded (UTC)':<19} {'event':<22} {'rev':>3}  who, channel, message")
    for event in events:
        name = type(event).__qualname__.split(".")[-1]
        rev = getattr(event, "revision", "")
        prov = getattr(event, "provenance", None)
        who = (
            f"{prov.actor} via {prov.channel} at {prov.at:%Y-%m-%d %H:%M} msg={prov.message_id} "
            f"corr={prov.correlation_id} raw={prov.payload_ref or '-'}"
            if prov
            else ""
        )
        print(
            f"  v{event.originator_version:<3} {event.timestamp:%Y-%m-%d %H:%M:%S} {name:<22} "
            f"{rev!s:>3}  {who}"
        )
    return _print_state(hub, point, revision, as_of)


def _print_state(hub: SupplyHub, point: AsOf, revision: int | None, as_of: datetime | None) -> int:
    if point.revision_missing:
        return fail(f"revision {revision} does not exist")
    state = point.state()
    if state is None:
        return fail("no state recorded by that time")
    label = f"revision {revision}" if revision else (f"as of {as_of}" if as_of else "now")
    print(f"State {label}: revision {state.revision}, {state.status}, version {state.version}")
    for line in state.lines.values():
        answer = state.responses.get(line.line_number)
        status = answer.status.value if answer else "pending"
        received = state.received.get(line.line_number, 0)
        print(
            f"  line {line.line_number:>3} {line.item:<10} {line.quantity:>8} {line.uom} "
            f"@ {line.unit_price} {state.currency} need-by {line.need_by} "
            f"ack={status} received={received}"
        )
    return 0


def register_workers(worker_subparsers: Any) -> None:
    """The core group runs no long-lived process."""
