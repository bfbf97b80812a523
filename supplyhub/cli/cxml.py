"""`supplyhub cxml translate FILE`: what a cXML document says to the hub, with no side
effects; `supplyhub cxml hash-secret`: the shared secret's hash a partner profile stores."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from connectors.cxml.errors import CxmlError
from connectors.cxml.safe_xml import MAX_DOCUMENT_BYTES
from connectors.cxml.secret import hash_secret
from connectors.cxml.translate import CxmlTranslation, translate
from connectors.gateway.profile import PartnerProfile, ProfileFormatError, profile_from_json
from domain.commands import COMMANDS
from supplyhub.cli.output import fail
from supplyhub.settings import Settings

_WIRE_NAMES = {cls: name for name, cls in COMMANDS.items()}


def register(subparsers: Any) -> None:
    cxml = subparsers.add_parser("cxml", help="cXML documents: translate; shared secrets")
    commands = cxml.add_subparsers(dest="cxml_command", required=True, metavar="COMMAND")
    translate_ = commands.add_parser(
        "translate",
        help="print the canonical commands a cXML document says; changes nothing",
        description="Reads FILE (a ConfirmationRequest, ShipNoticeRequest or "
        "InvoiceDetailRequest) safely, translates it with the partner's profile and prints the "
        "hub's commands, one a line. Without --partner, the profile the document's own From "
        "credential implies (no mapping tables). The shared secret is not checked. A document "
        "that cannot be translated prints one line naming the element's path and the rule, "
        "and exits 1.",
    )
    translate_.add_argument("file", type=Path, metavar="FILE")
    translate_.add_argument(
        "--partner", metavar="P",
        help="a partner profile: a JSON file, or the id of one in SUPPLYHUB_DATA_DIR/partners/",
    )  # fmt: skip
    translate_.add_argument("--json", action="store_true", help="one JSON object a line")
    translate_.set_defaults(run=run_translate)
    secret = commands.add_parser(
        "hash-secret",
        help="read a shared secret from standard input, print the hash a profile stores",
    )
    secret.set_defaults(run=run_hash_secret)


def register_workers(workers: Any) -> None:
    """Sending OrderRequests is the gateway's outbound subscriber's (issue 13)."""


def run_translate(args: argparse.Namespace, settings: Settings) -> int:
    try:
        profile = _profile(args.partner, settings) if args.partner else None
    except (OSError, ValueError, ProfileFormatError) as error:
        return fail(f"cxml translate: partner {args.partner}: {error}", 2)
    try:
        with args.file.open("rb") as file:
            document = file.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as error:
        return fail(f"cxml translate: {args.file}: {error.strerror or error}", 2)
    try:
        translation = translate(document, profile)
    except CxmlError as error:
        return fail(f"cxml translate: {error}")
    except Exception as error:  # never a traceback for a document: say what, and stop
        return fail(f"cxml translate: {args.file}: cannot be translated: {error!r}")
    for line in _lines(translation, args.json):
        print(line)
    return 0


def run_hash_secret(args: argparse.Namespace, settings: Settings) -> int:
    secret = getpass.getpass("shared secret: ") if sys.stdin.isatty() else sys.stdin.readline()
    secret = secret.rstrip("\r\n")
    if not secret:
        return fail("cxml hash-secret: the secret is empty", 2)
    print(hash_secret(secret))
    return 0


def _profile(partner: str, settings: Settings) -> PartnerProfile:
    path = Path(partner)
    if not path.is_file():
        path = settings.data_dir / "partners" / f"{partner}.json"
    return profile_from_json(json.loads(path.read_text()))


def _lines(translation: CxmlTranslation, as_json: bool) -> list[str]:
    lines = []
    for command in translation.commands:
        name = _WIRE_NAMES[type(command)]
        fields = json.loads(json.dumps(dataclasses.asdict(command), default=str))
        if as_json:
            where = {"payload_id": translation.payload_id, "request": translation.request}
            lines.append(json.dumps({**where, "command": name, "fields": fields}))
        else:
            lines.append(f"{translation.request} {translation.payload_id}: {name} "
                         f"{json.dumps(fields)}")  # fmt: skip
    return lines
