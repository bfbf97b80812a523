"""CLI commands for the projections, audit and the projection worker (read-side engineer)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from supplyhub.backbone import add_health_flag, run_health, worker_loop
from supplyhub.bootstrap import open_hub
from supplyhub.read_side import ReadSide, RebuildRefusedError, open_read_side
from supplyhub.settings import Settings

log = logging.getLogger("supplyhub.projections")


def register(subparsers: Any) -> None:
    """Add this group's top-level commands."""
    projections = subparsers.add_parser("projections", help="projection status and rebuilds")
    actions = projections.add_subparsers(dest="action", required=True, metavar="ACTION")
    status = actions.add_parser(
        "status", help="per projection: position, log head, lag in events and seconds"
    )
    status.set_defaults(run=run_status)
    rebuild = actions.add_parser(
        "rebuild",
        help="rebuild one projection beside the live one, then switch reads to it",
        description="Builds a new version of the view from position 0 while reads keep using "
        "the live one, switches reads atomically once it has caught up, then drops the old.",
    )
    rebuild.add_argument("name", metavar="NAME", help="e.g. purchase_orders, exceptions")
    rebuild.add_argument(
        "--processes",
        type=int,
        metavar="N",
        help="split the rebuild between N processes (PostgreSQL; purchase_orders, exceptions); "
        "default: one per CPU (at most 4, or SUPPLYHUB_REBUILD_PROCESSES) from 50,000 of the "
        "view's events",
    )
    rebuild.set_defaults(run=run_rebuild)

    audit = subparsers.add_parser("audit", help="verify the event log against its hash chain")
    audit_actions = audit.add_subparsers(dest="action", required=True, metavar="ACTION")
    verify = audit_actions.add_parser(
        "verify", help="recompute the hash chain from the stored events and compare"
    )
    verify.add_argument(
        "--expect", metavar="DIGEST", help="also require this head digest (kept by the auditor)"
    )
    verify.set_defaults(run=run_verify)
    digest = audit_actions.add_parser("digest", help="print the ledger's head position and digest")
    digest.set_defaults(run=run_digest)


def register_workers(worker_subparsers: Any) -> None:
    """Add this group's `supplyhub worker NAME` long-running processes."""
    worker = worker_subparsers.add_parser(
        "projections", help="keep every view up to date until SIGINT/SIGTERM"
    )
    add_health_flag(worker)
    worker.set_defaults(run=run_worker)


@contextmanager
def _read_side(settings: Settings) -> Iterator[ReadSide]:
    hub = open_hub(settings)
    read_side = open_read_side(settings, hub)
    try:
        yield read_side
    finally:
        read_side.close()
        hub.close()


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    with _read_side(settings) as read_side:
        print(f"{'projection':<16} {'ver':>3} {'live':<4} {'position':>9} {'head':>9} "
              f"{'lag':>7} {'lag s':>8}")  # fmt: skip
        for s in read_side.status():
            print(
                f"{s.name:<16} {s.version:>3} {'yes' if s.live else 'no':<4} {s.position:>9} "
                f"{s.head:>9} {s.lag_events:>7} {s.lag_seconds:>8.1f}"
            )
    return 0


def run_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    with _read_side(settings) as read_side:
        if args.name not in read_side.names():
            print(f"no projection {args.name!r}; known: {', '.join(read_side.names())}")
            return 2
        started = time.monotonic()
        last_print = [0.0]

        def progress(position: int, head: int) -> None:
            now = time.monotonic()
            if now - last_print[0] >= 0.5 or position >= head:
                last_print[0] = now
                rate = position / max(now - started, 1e-9)
                print(f"\r  {args.name}: {position}/{head} events ({rate:,.0f}/s)", end="")
                sys.stdout.flush()

        try:
            version = read_side.rebuild(args.name, progress, args.processes)
        except RebuildRefusedError as error:  # --processes this store or view cannot do
            print(f"cannot rebuild {args.name}: {error}")
            return 2
        print(f"\n{args.name}: version {version} is live ({time.monotonic() - started:.1f} s)")
    return 0


def run_verify(args: argparse.Namespace, settings: Settings) -> int:
    with _read_side(settings) as read_side:
        read_side.runner.catch_up()  # chain every event stored so far
        result = read_side.verify_audit()
        if result.finding is not None:
            print(f"TAMPERED: {result.finding} (chain verified up to {result.head_position})")
            return 1
        if args.expect and args.expect != result.head_digest:
            print(f"MISMATCH: head digest {result.head_digest} is not the expected {args.expect}")
            return 1
        print(f"OK: {result.checked} events verified; head {result.head_position} "
              f"digest {result.head_digest}")  # fmt: skip
    return 0


def run_digest(args: argparse.Namespace, settings: Settings) -> int:
    with _read_side(settings) as read_side:
        read_side.runner.catch_up()
        head = read_side.digest()
        print(f"{head.position} {head.digest}")
    return 0


def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Run until SIGTERM/SIGINT (exit 0); transient failures of the store are retried inside
    the runner's loop. Exit 1 for a fatal error, with the error printed."""
    if args.health:
        return run_health(settings, "projections")
    read_side = worker_loop(settings, "projections").open(lambda: _open_read_side(settings))
    try:

        def shutdown(signum: int, frame: FrameType | None) -> None:
            log.info("received %s, stopping after the batch in hand", signal.Signals(signum).name)
            read_side.runner.stop()

        signal.signal(signal.SIGINT, shutdown)
        signal.signal(signal.SIGTERM, shutdown)
        read_side.runner.run_forever()
    except Exception as error:  # transient ones are retried inside: this one is fatal
        log.critical("projections worker failed", exc_info=True)
        print(f"projections worker stopped by a fatal error: {error!r}")
        return 1
    finally:
        read_side.close()
        read_side.hub.close()
    return 0


def _open_read_side(settings: Settings) -> ReadSide:
    hub = open_hub(settings)
    try:
        return open_read_side(settings, hub)
    except BaseException:
        hub.close()
        raise
