"""CLI for the NATS workers: `worker relay`, `worker inbound`, `replay`, `dlq`, `migrate`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
from typing import Any

from supplyhub import workers
from supplyhub.bootstrap import open_hub
from supplyhub.partner_desk import open_register
from supplyhub.settings import Settings

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(subparsers: Any) -> None:
    migrate = subparsers.add_parser(
        "migrate",
        help="create the schema, the event tables and the NATS workers' tables, then exit",
        description="Idempotent: safe to run before every deployment (the compose file runs it "
        "as a one-shot service before the API and the workers start).",
    )
    migrate.set_defaults(run=run_migrate)

    replay = subparsers.add_parser(
        "replay",
        help="republish a range of the event log to NATS, for a subscriber that lost data",
        description="Republishes events at log positions FROM..TO (inclusive) to the events "
        "stream, without moving the relay's tracked position. Events still inside the stream's "
        "duplicate window (2 minutes) are dropped by JetStream as duplicates; older ones are "
        "stored again. Needs SUPPLYHUB_NATS_URL.",
    )
    replay.add_argument("--from", dest="start", type=int, required=True, metavar="POSITION")
    replay.add_argument(
        "--to", dest="stop", type=int, metavar="POSITION", help="default: the log's head"
    )
    replay.set_defaults(run=run_replay)

    dlq = subparsers.add_parser(
        "dlq",
        help="list, retry or drop inbound commands that could not be applied",
        description="A command that keeps failing becomes its document's dead letter; the "
        "document's later commands are parked behind it until it is retried or dropped.",
    )
    actions = dlq.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")
    actions.add_parser("list", help="dead letters with their reason and parked count").set_defaults(
        run=run_dlq_list
    )
    for name, help_text in (
        (
            "retry",
            "apply the dead letter again and the commands parked or held behind it, in the "
            "document's order (one that failed only for coming early applies after its "
            "predecessor)",
        ),
        ("drop", "discard the dead letter, then apply the parked and held commands, in order"),
    ):
        action = actions.add_parser(name, help=help_text, description=help_text)
        action.add_argument("document", metavar="DOCUMENT", help="as listed, e.g. po:4500000042")
        action.add_argument(
            "--reason", default="", help="why, recorded with who asked (the OS user)"
        )
        action.set_defaults(run=run_dlq_release, retry=name == "retry")


def register_workers(worker_subparsers: Any) -> None:
    workers.add_worker_parser(
        worker_subparsers,
        "relay",
        run_relay,
        help="publish every event of the log to NATS JetStream (needs SUPPLYHUB_NATS_URL)",
        description="A tracked subscriber of the event log: publishes each event to "
        "supplyhub.events.<aggregate>.<event> with Nats-Msg-Id = the event's id, in log order, "
        "and resumes from its tracked position after a restart. While NATS is down it waits.",
    )
    workers.add_worker_parser(
        worker_subparsers,
        "inbound",
        run_inbound,
        help="apply commands sent on supplyhub.commands.<type> (needs SUPPLYHUB_NATS_URL)",
        description="Consumes the commands stream with a durable pull consumer, applies each "
        "command and acks it after commit; run one per consumer to keep the order per document.",
    )


def run_migrate(args: argparse.Namespace, settings: Settings) -> int:
    hub = open_hub(settings)  # creates the schema and the event tables
    try:
        workers.create_tables(settings)
        open_register(settings).close()  # the partners' log, partners_events
        print(f"Store ready: {hub.recorder.max_notification_id() or 0} events in the log")
    finally:
        hub.close()
    return EXIT_OK


def run_relay(args: argparse.Namespace, settings: Settings) -> int:
    return _run_worker(args, settings, "relay", workers.build_relay)


def run_inbound(args: argparse.Namespace, settings: Settings) -> int:
    return _run_worker(args, settings, "inbound", workers.build_inbound)


def _run_worker(args: argparse.Namespace, settings: Settings, name: str, build: Any) -> int:
    """Run until SIGTERM/SIGINT (exit 0); transient failures are retried inside the worker.
    Exit 2 for a configuration error, 1 for a fatal one, with the error printed."""
    if args.health:
        return workers.run_health(settings, name)
    if not settings.nats_url:
        print(workers.NatsNotConfiguredError())
        return EXIT_USAGE
    return run_until_signalled(settings, name, build, settings.nats_url)


def run_until_signalled(settings: Settings, name: str, build: Any, where: str) -> int:
    """Open the hub and the worker ``build`` makes (retrying while the store is away), run it
    until SIGTERM/SIGINT; log that it started on ``where``. A fatal error exits 1."""
    starting = workers.worker_loop(settings, name)
    hub = starting.open(lambda: open_hub(settings))
    try:
        worker = starting.open(lambda: build(settings, hub))
        log.info("%s worker started on %s", name, where)
        asyncio.run(workers.run_until_signalled(worker))
        log.info("%s worker stopped", name)
    except Exception as error:  # a bug or a configuration the worker cannot run with
        log.critical("%s worker failed", name, exc_info=True)
        print(f"{name} worker stopped by a fatal error: {error!r}")
        return EXIT_FAILED
    finally:
        hub.close()
    return EXIT_OK


def run_replay(args: argparse.Namespace, settings: Settings) -> int:
    if args.start < 1 or (args.stop is not None and args.stop < args.start):
        print("--from must be at least 1 and --to not before --from")
        return EXIT_USAGE
    hub = open_hub(settings)
    try:
        relay = workers.build_relay(settings, hub)
        sent = asyncio.run(relay.replay(args.start, args.stop))
    except workers.NatsNotConfiguredError as error:
        print(error)
        return EXIT_USAGE
    except Exception as error:  # NATS unreachable, stream missing: say so and fail
        print(f"replay failed: {error!r}")
        return EXIT_FAILED
    finally:
        hub.close()
    print(f"Republished {sent} events from position {args.start} to {args.stop or 'the head'}")
    return EXIT_OK


def run_dlq_list(args: argparse.Namespace, settings: Settings) -> int:
    store = workers.dead_letter_store(settings)
    letters, held = store.all(), store.held_documents()
    if not letters and not held:
        print("No dead letters.")
        return EXIT_OK
    if letters:
        print(f"{'DOCUMENT':<28} {'ATTEMPTS':>8} {'PARKED':>6}  {'FAILED AT':<25} REASON")
    for d in letters:
        print(f"{d.document:<28} {d.attempts:>8} {d.parked:>6}  {d.failed_at:<25} {d.reason}")
    for document, since in held.items():
        waiting = store.held(document)
        print(f"{document}: {len(waiting)} command(s) held since {since}, waiting for "
              f"{waiting[0].waits_for if waiting else '-'}")  # fmt: skip
    return EXIT_OK


def run_dlq_release(args: argparse.Namespace, settings: Settings) -> int:
    hub = open_hub(settings)
    store = workers.dead_letter_store(settings)
    try:
        try:
            done = workers.release_dead_letter(
                store, hub, args.document, retry=args.retry, actor=getpass.getuser(),
                reason=args.reason,
            )  # fmt: skip
        except KeyError:
            print(f"No dead letter or held command for {args.document!r}; see: supplyhub dlq list")
            return EXIT_USAGE
    finally:
        hub.close()
    verb = "Retried" if args.retry else "Dropped the dead letter of"
    print(f"{verb} {args.document}: {done.applied} command(s) applied")
    if done.still_dead:
        print(f"Still dead: {done.still_dead}")
        return EXIT_FAILED
    return EXIT_OK
