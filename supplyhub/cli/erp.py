"""CLI for the ERP adapter: `worker erp` and `erp status`."""

from __future__ import annotations

import argparse
from typing import Any

from supplyhub import erp, workers
from supplyhub.bootstrap import open_hub
from supplyhub.cli.output import add_json_flag, fail, print_json
from supplyhub.cli.workers import run_until_signalled
from supplyhub.settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("erp", help="the ERP adapter's state")
    actions = group.add_subparsers(dest="erp_command", required=True, metavar="ACTION")
    status = actions.add_parser(
        "status",
        help="the pull cursors, the last success and error, the write-backs still pending",
    )
    add_json_flag(status)
    status.set_defaults(run=run_status)


def register_workers(worker_subparsers: Any) -> None:
    workers.add_worker_parser(
        worker_subparsers,
        "erp",
        run_worker,
        help="pull POs and receipts from the ERP and write the suppliers' answers back "
        "(SUPPLYHUB_ERP_*)",
        description="Each round (every SUPPLYHUB_ERP_POLL_SECONDS): pull what changed in the "
        "ERP since the stored cursor, then write back the acknowledgements recorded since the "
        "tracked position, in log order. While the ERP is away it waits and retries.",
    )


def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    if args.health:
        return workers.run_health(settings, "erp")
    try:
        erp.check(settings)
        erp.password(settings)
    except erp.ErpNotConfiguredError as error:
        return fail(f"worker erp: {error}", EXIT_USAGE)
    # A fatal error here is a bug, or a login the ERP refuses.
    where = (
        f"{settings.erp_url} ({settings.erp_adapter})"
        if settings.erp_adapter == "sap"
        else f"{settings.erp_url} database {settings.erp_database}"
    )
    return run_until_signalled(settings, "erp", erp.build_worker, where)


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    hub = open_hub(settings)
    try:
        found = erp.status(settings, hub)
    except erp.ErpNotConfiguredError as error:
        return fail(f"erp status: {error}", EXIT_USAGE)
    finally:
        hub.close()
    if args.json:
        print_json(found)
    else:
        for key, value in found.items():
            print(f"{key.replace('_', ' ')}: {'-' if value is None else value}")
    return EXIT_OK
