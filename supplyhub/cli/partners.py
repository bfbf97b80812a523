"""`supplyhub partners list | show P | versions P | import FILE | rollback P N`: the trading
partners' event-sourced profiles (docs/edi.md). A refusal is one line on stderr naming the
field, and a non-zero exit; a cXML secret's hash is never printed."""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api.partners import PartnerChange, PartnerVersionView, PartnerView
from domain.errors import DomainError, NotFoundError
from supplyhub.cli.output import add_json_flag, fail, print_json
from supplyhub.partner_desk import StoredPartnerDesk, partner_directory
from supplyhub.settings import Settings


def register(subparsers: Any) -> None:
    group = subparsers.add_parser(
        "partners",
        help="trading partners' profiles: list, show, versions, import, rollback",
        description="Every change to a profile is a new version; nothing is deleted. The "
        "API's /api/v1/partners does the same for admins.",
    )
    commands = group.add_subparsers(dest="partners_command", required=True, metavar="ACTION")
    listing = commands.add_parser("list", help="each partner: supplier, dialect, version")
    listing.set_defaults(run=_run(_list))
    show = commands.add_parser("show", help="a partner's current profile (secret redacted)")
    show.add_argument("partner", metavar="P")
    show.set_defaults(run=_run(_show))
    versions = commands.add_parser("versions", help="each version: when, who, what changed")
    versions.add_argument("partner", metavar="P")
    versions.set_defaults(run=_run(_versions))
    imported = commands.add_parser(
        "import",
        help="put a profile from a JSON file: a new version if it changed",
        description="FILE is the profile's JSON (docs/edi.md); its `partner` names the "
        "partner. The same document again writes nothing.",
    )
    imported.add_argument("file", type=Path, metavar="FILE")
    imported.set_defaults(run=_run(_import))
    rollback = commands.add_parser(
        "rollback", help="make version N's profile current again, as a new version"
    )
    rollback.add_argument("partner", metavar="P")
    rollback.add_argument("version", type=int, metavar="N")
    rollback.set_defaults(run=_run(_roll_back))
    for each in (listing, show, versions, imported, rollback):
        add_json_flag(each)


def register_workers(worker_subparsers: Any) -> None:
    """Profiles are read by the gateway's workers; they have no worker of their own."""


Action = Callable[[argparse.Namespace, StoredPartnerDesk], int]


def _run(action: Action) -> Callable[[argparse.Namespace, Settings], int]:
    def run(args: argparse.Namespace, settings: Settings) -> int:
        directory = partner_directory(settings)
        try:
            return action(args, StoredPartnerDesk(directory))
        except NotFoundError as missing:
            return fail(f"partners {args.partners_command}: no profile for partner "
                        f"{missing.key!r}")  # fmt: skip
        except DomainError as refused:
            return fail(f"partners {args.partners_command}: {refused}")
        except OSError as error:
            return fail(f"partners {args.partners_command}: {error.strerror or error}", 2)
        finally:
            directory.book.register.close()

    return run


def _list(args: argparse.Namespace, desk: StoredPartnerDesk) -> int:
    found = desk.all()
    if args.json:
        print_json([_view_json(each) for each in found])
        return 0
    for each in found:
        dialect = f"{each.profile.get('dialect', '')} {each.profile.get('version', '')}"
        print(f"{each.partner}\t{each.supplier}\t{dialect}\tversion {each.version}")
    return 0


def _show(args: argparse.Namespace, desk: StoredPartnerDesk) -> int:
    found = desk.show(args.partner)
    if args.json:
        print_json(_view_json(found))
        return 0
    print(f"{found.partner} (supplier {found.supplier}), version {found.version}")
    print(json.dumps(found.profile, indent=2, sort_keys=True))
    return 0


def _versions(args: argparse.Namespace, desk: StoredPartnerDesk) -> int:
    found = desk.versions(args.partner)
    if args.json:
        print_json([_version_json(each) for each in found])
        return 0
    for each in found:
        what = f"back to {each.to_version}" if each.to_version else each.kind
        changed = ", ".join(each.changed) or "-"
        print(f"{each.version}\t{each.at.isoformat()}\t{each.actor}\t{what}\t{changed}")
    return 0


def _import(args: argparse.Namespace, desk: StoredPartnerDesk) -> int:
    return _said(args, desk.import_file(args.file, _actor()))


def _roll_back(args: argparse.Namespace, desk: StoredPartnerDesk) -> int:
    return _said(args, desk.roll_back(args.partner, args.version, _actor()))


def _said(args: argparse.Namespace, done: PartnerChange) -> int:
    if args.json:
        print_json({"partner": done.partner, "version": done.version, "written": done.written})
    elif done.written:
        print(f"{done.partner}: version {done.version}")
    else:
        print(f"{done.partner}: unchanged, version {done.version}")
    return 0


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


def _view_json(view: PartnerView) -> dict[str, Any]:
    return {"partner": view.partner, "supplier": view.supplier, "version": view.version,
            "profile": view.profile}  # fmt: skip


def _version_json(each: PartnerVersionView) -> dict[str, Any]:
    return {"version": each.version, "kind": each.kind, "at": each.at.isoformat(),
            "actor": each.actor, "changed": each.changed,
            "to_version": each.to_version}  # fmt: skip
