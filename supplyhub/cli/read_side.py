"""CLI commands for the projections, audit and the projection worker (read-side engineer)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from types import FrameType
from typing import Any

from projections.audit_report import ChainHead
from supplyhub import audit
from supplyhub.audit_anchors import AuditSetupError
from supplyhub.bootstrap import open_hub
from supplyhub.cli.output import add_json_flag, fail, print_json
from supplyhub.read_side import ReadSide, RebuildRefusedError, open_read_side
from supplyhub.settings import Settings
from supplyhub.workers import add_worker_parser, run_health, worker_loop

log = logging.getLogger("supplyhub.projections")


def register(subparsers: Any) -> None:
    """Add this group's top-level commands."""
    projections = subparsers.add_parser("projections", help="projection status and rebuilds")
    actions = projections.add_subparsers(dest="action", required=True, metavar="ACTION")
    status = actions.add_parser(
        "status", help="per projection: position, log head, lag in events and seconds"
    )
    add_json_flag(status)
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

    rebuild.add_argument(
        "--force",
        action="store_true",
        help="audit_ledger only: rebuild even though the recorded chain disagrees with the log "
        "(accepts the log as it is now; signed checkpoints still show the rewrite)",
    )

    audit = subparsers.add_parser(
        "audit",
        help="verify the event log against its hash chain and signed checkpoints (read-only)",
    )
    audit_actions = audit.add_subparsers(dest="action", required=True, metavar="ACTION")
    verify = audit_actions.add_parser(
        "verify",
        help="compare the log with the chain as recorded and with every signed checkpoint",
        description="Opens the store read-only (works on a read-only copy), never chains or "
        "writes anything, and names the first position where log and chain part. "
        "Exit 0: consistent; 1: tampering or a mismatch found; 2: cannot run as configured.",
    )
    verify.add_argument(
        "--expect",
        metavar="POSITION:DIGEST",
        type=_position_digest,
        help="also require the chain at POSITION to be DIGEST (as `audit digest` printed it); "
        "later events do not affect this",
    )
    verify.set_defaults(run=run_verify)
    digest = audit_actions.add_parser(
        "digest", help="print the recorded chain's head as POSITION:DIGEST (read-only)"
    )
    digest.set_defaults(run=run_digest)
    checkpoint = audit_actions.add_parser(
        "checkpoint",
        help="verify, then append a checkpoint signed with SUPPLYHUB_AUDIT_KEY to the "
        "checkpoint file",
    )
    checkpoint.set_defaults(run=run_checkpoint)


def _position_digest(text: str) -> ChainHead:
    try:
        return ChainHead.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def register_workers(worker_subparsers: Any) -> None:
    """Add this group's `supplyhub worker NAME` long-running processes."""
    add_worker_parser(
        worker_subparsers,
        "projections",
        run_worker,
        help="keep every view up to date until SIGINT/SIGTERM",
    )


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
        if args.json:
            print_json([asdict(s) for s in read_side.status()])
            return 0
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
            return fail(f"no projection {args.name!r}; known: {', '.join(read_side.names())}", 2)
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
            version = read_side.rebuild(args.name, progress, args.processes, force=args.force)
        except RebuildRefusedError as error:  # --processes it cannot do, a tampered chain
            return fail(f"cannot rebuild {args.name}: {error}", 2)
        print(f"\n{args.name}: version {version} is live ({time.monotonic() - started:.1f} s)")
    return 0


def run_verify(args: argparse.Namespace, settings: Settings) -> int:
    try:
        report = audit.verify_store(settings, args.expect)
    except AuditSetupError as error:
        print(f"cannot verify: {error}")
        return 2
    found = report.verification
    if found.finding is not None:
        print(f"TAMPERED: {found.finding} (the log matches the recorded chain up to "
              f"position {found.head_position})")  # fmt: skip
    else:
        print(f"OK: {found.checked} events match the recorded chain; head {found.head_position}"
              f":{found.head_digest}")  # fmt: skip
    if found.unchained:
        print(f"NOT YET CHAINED: {found.unchained} events from position "
              f"{found.first_unchained} are in the log but not in the chain (the projections "
              "worker chains them; only a signed checkpoint or --expect pins them)")  # fmt: skip
    for problem in report.checkpoint_problems:
        print(f"CHECKPOINT: {problem}")
    if report.checkpoints and not report.checkpoint_problems:
        held = "hold" if found.ok else "have valid signatures (digests not compared: see above)"
        print(f"checkpoints: {report.checkpoints} signed checkpoints {held}")
    if report.expected_problem:
        print(f"MISMATCH: {report.expected_problem}")
    elif report.expected is not None and found.ok:
        print(f"EXPECTED: the chain at position {report.expected.position} is the digest you kept")
    return 0 if report.ok else 1


def run_digest(args: argparse.Namespace, settings: Settings) -> int:
    try:
        head = audit.recorded_head(settings)
    except AuditSetupError as error:
        print(f"cannot read the chain: {error}")
        return 2
    print(head)
    return 0


def run_checkpoint(args: argparse.Namespace, settings: Settings) -> int:
    try:
        checkpoint = audit.write_checkpoint(settings)
    except AuditSetupError as error:
        print(f"no checkpoint written: {error}")
        return 1
    print(f"checkpoint {checkpoint.position}:{checkpoint.digest} signed at {checkpoint.at}, "
          f"appended to {settings.checkpoint_file}")  # fmt: skip
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
