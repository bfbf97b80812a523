"""`supplyhub cxml translate FILE`: what a cXML document says to the hub, with no side
effects; `supplyhub cxml hash-secret`: the shared secret's hash a partner profile stores."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from connectors.cxml.errors import CxmlError
from connectors.cxml.safe_xml import MAX_DOCUMENT_BYTES
from connectors.cxml.secret import hash_secret
from connectors.cxml.translate import CxmlTranslation, translate
from connectors.gateway.profile import PartnerProfile
from supplyhub.cli import translating
from supplyhub.cli.output import fail
from supplyhub.cli.translating import WIRE_NAMES, add_channel_parser, plain
from supplyhub.settings import Settings


def register(subparsers: Any) -> None:
    commands = add_channel_parser(
        subparsers,
        "cxml",
        "cXML documents: translate; shared secrets; the OrderRequests sent",
        (
            "print the canonical commands a cXML document says; changes nothing",
            "Reads FILE (a ConfirmationRequest, ShipNoticeRequest or "
            "InvoiceDetailRequest) safely, translates it with the partner's profile and prints the "
            "hub's commands, one a line. Without --partner, the profile the document's own From "
            "credential implies (no mapping tables). The shared secret is not checked. A document "
            "that cannot be translated prints one line naming the element's path and the rule, "
            "and exits 1.",
        ),
        run_translate,
    )
    secret = commands.add_parser(
        "hash-secret",
        help="read a shared secret from standard input, print the hash a profile stores",
    )
    secret.set_defaults(run=run_hash_secret)
    orders = commands.add_parser(
        "orders",
        help="the OrderRequests sent to cXML suppliers and their answers (oldest first)",
        description="One line each: log position, partner, PO, payloadID, state (written: "
        "not answered yet, delivered, failed), the supplier's cXML status and its text, and "
        "the latest status the supplier sent on it (StatusUpdateRequest), if any. "
        "A failed one (a 4xx, a cXML status that is not 2xx, a unit or secret missing) is "
        "not retried: fix the cause and revise the PO, or settle it with the supplier.",
    )
    orders.add_argument("--failed", action="store_true", help="only the failed ones")
    orders.set_defaults(run=run_orders)


def register_workers(workers: Any) -> None:
    """Sending OrderRequests is the gateway's outbound subscriber's (issue 13)."""


def run_translate(args: argparse.Namespace, settings: Settings) -> int:
    return translating.run_translate(
        args, settings, "cxml translate", _translate, CxmlError, _lines
    )


def _translate(path: Path, profile: PartnerProfile | None) -> CxmlTranslation:
    with path.open("rb") as file:
        document = file.read(MAX_DOCUMENT_BYTES + 1)
    return translate(document, profile)


def run_hash_secret(args: argparse.Namespace, settings: Settings) -> int:
    secret = getpass.getpass("shared secret: ") if sys.stdin.isatty() else sys.stdin.readline()
    secret = secret.rstrip("\r\n")
    if not secret:
        return fail("cxml hash-secret: the secret is empty", 2)
    print(hash_secret(secret))
    return 0


def run_orders(args: argparse.Namespace, settings: Settings) -> int:
    from supplyhub.cxml import cxml_orders

    for each in cxml_orders(settings).orders(failed_only=args.failed):
        status = f"  {each.status}" if each.status else ""
        print(f"{each.position}  {each.partner}  {each.po_number}  {each.payload_id or '-'}  "
              f"{each.state}  {each.code}  {each.detail}{status}")  # fmt: skip
    return 0


def _lines(translation: CxmlTranslation, as_json: bool) -> list[str]:
    lines = []
    for command in translation.commands:
        name = WIRE_NAMES[type(command)]
        fields = plain(command)
        if as_json:
            where = {"payload_id": translation.payload_id, "request": translation.request}
            lines.append(json.dumps({**where, "command": name, "fields": fields}))
        else:
            lines.append(f"{translation.request} {translation.payload_id}: {name} "
                         f"{json.dumps(fields)}")  # fmt: skip
    return lines
