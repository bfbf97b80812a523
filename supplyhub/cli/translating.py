"""What `edi translate` and `cxml translate` share: the FILE / --partner / --json arguments,
the partner profile, the refusals worded the same way, and commands as plain JSON values.

Each channel brings its own reading (`translate`) and its own lines; a document never prints a
traceback: what cannot be read is said in one line and the command exits 1 (2 for a file or
profile that cannot be opened).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from connectors.gateway.profile import PartnerProfile, ProfileFormatError, profile_from_json
from domain.commands import COMMANDS
from domain.errors import DomainError
from supplyhub.cli.output import fail
from supplyhub.partner_desk import partner_directory
from supplyhub.settings import Settings

WIRE_NAMES = {cls: name for name, cls in COMMANDS.items()}

_Result = TypeVar("_Result")


def add_channel_parser(
    subparsers: Any, channel: str, help: str, translate: tuple[str, str], run: Callable[..., int]
) -> Any:
    """`supplyhub CHANNEL`, with its `translate` command (``translate``: the command's help
    and description, run by ``run``); returns the group's subparsers for its other commands."""
    group = subparsers.add_parser(channel, help=help)
    commands = group.add_subparsers(dest=f"{channel}_command", required=True, metavar="COMMAND")
    _add_translate_parser(commands, *translate, run)
    return commands


def _add_translate_parser(
    commands: Any, help: str, description: str, run: Callable[..., int]
) -> None:
    translate = commands.add_parser("translate", help=help, description=description)
    translate.add_argument("file", type=Path, metavar="FILE")
    translate.add_argument(
        "--partner", metavar="P",
        help="a partner profile: a JSON file, or the id of a partner the hub has a profile of",
    )  # fmt: skip
    translate.add_argument("--json", action="store_true", help="one JSON object a line")
    translate.set_defaults(run=run)


def run_translate(
    args: argparse.Namespace,
    settings: Settings,
    command: str,
    translate: Callable[[Path, PartnerProfile | None], _Result],
    refused: type[Exception],
    lines: Callable[[_Result, bool], Iterable[str]],
) -> int:
    """Translate FILE with the partner's profile (or none) and print its lines."""
    try:
        profile = _profile(args.partner, settings) if args.partner else None
    except (OSError, ValueError, ProfileFormatError, DomainError) as error:
        return fail(f"{command}: partner {args.partner}: {error}", 2)
    try:
        result = translate(args.file, profile)
    except OSError as error:
        return fail(f"{command}: {args.file}: {error.strerror or error}", 2)
    except refused as error:
        return fail(f"{command}: {error}")
    except Exception as error:  # never a traceback for a document: say what, and stop
        return fail(f"{command}: {args.file}: cannot be translated: {error!r}")
    for line in lines(result, args.json):
        print(line)
    return 0


def plain(value: Any) -> Any:
    """A command or ack as JSON values: decimals and dates as text, statuses by value."""
    return json.loads(json.dumps(dataclasses.asdict(value), default=str))


def _profile(partner: str, settings: Settings) -> PartnerProfile:
    """The JSON file ``partner`` names, else the partner's current profile in the hub."""
    path = Path(partner)
    if path.is_file():
        return profile_from_json(json.loads(path.read_text()))
    directory = partner_directory(settings)
    try:
        return directory.profile(partner)
    finally:
        directory.book.register.close()
