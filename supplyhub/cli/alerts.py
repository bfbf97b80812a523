"""CLI for alert routing: `alerts rules list|add|remove|disable|enable`, `alerts list`,
`worker alerts`."""

from __future__ import annotations

import argparse
import getpass
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from domain import commands as c
from domain.alert_rule import Trigger
from domain.errors import DomainError
from domain.provenance import Channel, Provenance
from supplyhub import alerts, workers
from supplyhub.bootstrap import open_hub
from supplyhub.cli.output import add_json_flag, fail, print_json
from supplyhub.cli.workers import run_until_signalled
from supplyhub.settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("alerts", help="alert rules, and the alerts sent")
    actions = group.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    sent = actions.add_parser("list", help="the latest alerts sent or failed, newest first")
    sent.add_argument("--limit", type=int, default=50, help="default: 50")
    add_json_flag(sent)
    sent.set_defaults(run=run_list)

    rules = actions.add_parser("rules", help="list, add or remove alert rules")
    verbs = rules.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    listed = verbs.add_parser("list", help="the rules in force, with who changed them last")
    add_json_flag(listed)
    listed.set_defaults(run=run_rules_list)

    add = verbs.add_parser(
        "add",
        help="define a rule (or new terms for the rule of that name)",
        description="Example: supplyhub alerts rules add late-acme --trigger open_longer "
        "--hours 4 --supplier SUP-ACME --webhook https://ops.example/hooks/hub",
    )
    add.add_argument("name")
    add.add_argument("--trigger", required=True, choices=[str(t) for t in Trigger])
    add.add_argument("--hours", type=int, default=0, help="for --trigger open_longer")
    add.add_argument("--category", default="", help="default: any")
    add.add_argument("--supplier", default="", help="default: any")
    add.add_argument("--plant", default="", help="default: any")
    where = add.add_mutually_exclusive_group(required=True)
    where.add_argument("--webhook", metavar="URL")
    where.add_argument("--email", metavar="ADDRESSES", help="separated by commas")
    add.add_argument("--reason", default="", help="why (recorded with who)")
    add_json_flag(add)
    add.set_defaults(run=run_rules_add)

    for verb, says in (("remove", "remove a rule"),
                       ("disable", "keep a rule, listed, but send nothing by it"),
                       ("enable", "send by a disabled rule again")):  # fmt: skip
        change = verbs.add_parser(verb, help=says)
        change.add_argument("name")
        change.add_argument("--reason", default="", help="why (recorded with who)")
        add_json_flag(change)
        change.set_defaults(run=run_rules_change, verb=verb)


def register_workers(worker_subparsers: Any) -> None:
    workers.add_worker_parser(
        worker_subparsers,
        "alerts",
        run_worker,
        help="send alerts for exception cases to webhooks and e-mail (SUPPLYHUB_ALERTS_*)",
        description="Follows the cases opened in the log (for `opened` rules) and, every "
        "SUPPLYHUB_ALERTS_POLL_SECONDS, the open cases of the exception queue (for "
        "`open_longer` and `sla_breached` rules); each alert is sent once per rule, case "
        "and trigger, and recorded (`supplyhub alerts list`).",
    )


def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    if args.health:
        return workers.run_health(settings, "alerts")
    try:
        alerts.senders(settings)  # a secret that cannot be read is said now, in one line
    except alerts.AlertsNotConfiguredError as error:
        return fail(f"worker alerts: {error}", EXIT_USAGE)
    return run_until_signalled(settings, "alerts", alerts.build_worker, "the exception cases")


def _command(args: argparse.Namespace, settings: Settings, command: Any) -> int:
    """Hand a rule change to the hub, recorded with the OS user who ran it."""
    key = f"cli-{uuid.uuid4()}"
    provenance = Provenance(key, key, key, f"cli:{getpass.getuser()}", Channel.SYSTEM,
                            datetime.now(UTC))  # fmt: skip
    hub = open_hub(settings)
    try:
        outcome = hub.handle(command, provenance)
    except DomainError as error:
        return fail(f"alerts rules: {error}", EXIT_USAGE)
    finally:
        hub.close()
    if args.json:
        print_json({"status": outcome.status, "document": outcome.document})
    else:
        print(f"{outcome.document}: {outcome.status}")
    return EXIT_OK


def run_rules_add(args: argparse.Namespace, settings: Settings) -> int:
    destination, target = ("webhook", args.webhook) if args.webhook else ("email", args.email)
    command = c.DefineAlertRule(args.name, args.trigger, destination, target, args.hours,
                                args.category, args.supplier, args.plant, args.reason)  # fmt: skip
    return _command(args, settings, command)


_CHANGES = {"remove": c.RemoveAlertRule, "disable": c.DisableAlertRule,
            "enable": c.EnableAlertRule}  # fmt: skip


def run_rules_change(args: argparse.Namespace, settings: Settings) -> int:
    return _command(args, settings, _CHANGES[args.verb](args.name, args.reason))


def run_rules_list(args: argparse.Namespace, settings: Settings) -> int:
    hub = open_hub(settings)
    try:
        found = alerts.StoredAlertDesk.open(settings, hub).rules()
    finally:
        hub.close()
    if args.json:
        print_json([asdict(rule) for rule in found])
        return EXIT_OK
    if not found:
        print("No alert rules.")
    for r in found:
        scope = ", ".join(f"{k}={v}" for k, v in
                          (("category", r.category), ("supplier", r.supplier),
                           ("plant", r.plant)) if v) or "any case"  # fmt: skip
        when = f"open_longer {r.open_hours}h" if r.open_hours else r.trigger
        off = "" if r.enabled else " [disabled]"
        why = f": {r.reason}" if r.reason else ""
        print(f"{r.name}{off}: {when}, {scope} -> {r.destination} {r.target} "
              f"(by {r.changed_by} at {r.changed_at}{why})")  # fmt: skip
    return EXIT_OK


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    if args.limit < 1:
        return fail("alerts list: --limit must be at least 1", EXIT_USAGE)
    found = alerts.delivery_store(settings).recent(args.limit)
    if args.json:
        print_json([asdict(alert) for alert in found])
        return EXIT_OK
    if not found:
        print("No alerts sent yet.")
    for a in found:
        print(f"{a.created_at}  {a.status:<7} {a.attempts} tries  {a.rule}  {a.case_key}  "
              f"{a.trigger} -> {a.destination}  {a.detail}")  # fmt: skip
    return EXIT_OK
