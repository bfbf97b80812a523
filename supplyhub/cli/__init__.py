"""The `supplyhub` command: one sub-command group per module, each registering its parsers."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import version

from pydantic import ValidationError

from projections.store_faults import store_fault
from supplyhub.audit_anchors import AuditSetupError
from supplyhub.cli import alerts, api, core, cxml, edi, erp, partners, read_side, workers
from supplyhub.settings import Settings

# Each module contributes `register(subparsers)` and `register_workers(worker_subparsers)`;
# a parser's `run` default is called with the parsed arguments and the settings, and returns
# the exit status.
_GROUPS = [core, read_side, api, workers, edi, cxml, erp, partners, alerts]

Run = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="supplyhub",
        description="Supply Hub: an event-sourced data hub between an ERP and its suppliers. "
        "Configuration comes from SUPPLYHUB_* environment variables "
        "(SUPPLYHUB_DATA_DIR, SUPPLYHUB_DATABASE_URL, SUPPLYHUB_NATS_URL, ...).",
    )
    parser.add_argument("--version", action="version", version=f"supplyhub {version('supplyhub')}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    worker = subparsers.add_parser(
        "worker",
        help="run one long-running process (projections, relay, inbound, edi, erp, alerts)",
    )
    workers = worker.add_subparsers(dest="worker", required=True, metavar="WORKER")
    for group in _GROUPS:
        group.register(subparsers)
        group.register_workers(workers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:  # one line per setting, not a traceback
        for problem in error.errors():
            name = "SUPPLYHUB_" + "_".join(str(part) for part in problem["loc"]).upper()
            print(f"supplyhub: {name}: {problem['msg']}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    run: Run = args.run
    try:
        status = run(args, settings)
        sys.stdout.flush()
    except BrokenPipeError:
        # `supplyhub history ... | head`: the reader has gone, which is no error of ours. Point
        # stdout at /dev/null so the interpreter's last flush does not fail again on exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13  # what a shell reports for a writer ended by SIGPIPE
    except AuditSetupError as error:  # e.g. a checkpoint key too short, for any command
        print(f"supplyhub: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        fault = store_fault(error)
        if fault is None:
            raise
        # A fault of the store is the operator's to fix, not a bug: say what, not where.
        print(f"supplyhub {args.command}: {fault.reason}", file=sys.stderr)
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
