"""`supplyhub edi translate FILE` (what an EDI file says, no side effects), `edi receive FILE`
(the file through the whole gateway), `edi show`, `edi parked`, `edi as2`, `worker edi`."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from connectors.edi.errors import EdiSyntaxError
from connectors.edi.inbound import translate_file
from connectors.edi.translation import FunctionalAck, Translation
from connectors.gateway.files import DocumentResult
from connectors.gateway.profile import PartnerProfile
from domain.commands import AcknowledgePurchaseOrder, Command
from domain.errors import DomainError
from storage.payloads import UnknownPayloadError
from supplyhub import edi_transports, workers
from supplyhub.bootstrap import open_hub
from supplyhub.cli import translating
from supplyhub.cli.output import fail
from supplyhub.cli.translating import WIRE_NAMES, add_channel_parser, plain
from supplyhub.settings import Settings

_CHUNK = 1 << 16


def register(subparsers: Any) -> None:
    commands = add_channel_parser(
        subparsers,
        "edi",
        "EDI (X12, EDIFACT): translate, receive, show, parked, as2",
        (
            "print the canonical commands an X12 or EDIFACT file says; changes nothing",
            "Reads FILE (X12 or EDIFACT, told by its first segment), checks its "
            "envelopes and translates each set with the partner's profile, and prints the hub's "
            "commands: each line status both in the partner's code and the canonical status. "
            "Without --partner, the profile the file's own envelope implies (no mapping tables). "
            "A bad document prints one line naming the standard, segment and position, element "
            "and rule, and exits 1.",
        ),
        run_translate,
    )
    show = commands.add_parser(
        "show",
        help="print a kept interchange, in or out, byte for byte",
        description="Writes the payload whose reference (sha256:<hex>, an event's "
        "payload_ref) is REF to stdout as it was received or sent; exits 1 if none is kept.",
    )
    show.add_argument("ref", metavar="REF")
    show.set_defaults(run=run_show)
    parked = commands.add_parser(
        "parked",
        help="interchanges refused for their syntax: when, from whom, why (and their REF)",
        description="Each interchange `worker edi` refused (a wrong count, an unknown code, "
        "...) with the reason our rejecting 997 / CONTRL gave; `edi show REF` prints it.",
    )
    parked.set_defaults(run=run_parked)
    receive = commands.add_parser(
        "receive",
        help="run an X12 or EDIFACT file through the whole gateway and apply it",
        description="Keeps FILE byte for byte, judges it whole, then translates and applies "
        "its commands a batch at a time (streamed: a 100 MB file is never held), each with "
        "the message id POST /api/v1/edi gives it, so receiving a file again is a replay. "
        "Prints one line per command with its outcome, then a summary; a file that cannot "
        "be read is parked and our rejecting 997 / CONTRL is printed. Without --partner, the "
        "partner is the profile whose 'theirs' id sent the file. Exits 1 if it was refused.",
    )
    receive.add_argument("file", type=Path, metavar="FILE")
    receive.add_argument("--partner", default="", help="the partner's profile id")
    receive.add_argument("--json", action="store_true", help="one JSON object per line")
    receive.set_defaults(run=run_receive)
    mdns = commands.add_parser(
        "as2",
        help="AS2 messages sent and what their receipts (MDNs) said",
        description="Each AS2 message `worker edi` sent, with its partner and the status "
        "of its MDN: processed, awaiting (an asynchronous MDN not yet come), or the failure "
        "the partner reported (a negative MDN, a MIC that differs) for operations to follow.",
    )
    mdns.set_defaults(run=run_as2)


def register_workers(worker_subparsers: Any) -> None:
    workers.add_worker_parser(
        worker_subparsers,
        "edi",
        run_worker,
        help="send released, revised and cancelled POs to EDI partners; take their answers",
        description="A tracked subscriber of the event log: each PO released, revised or "
        "cancelled for a supplier whose partner profile (supplyhub partners) has a "
        "url goes out as an 850 or ORDERS with the partner's next control number, in log "
        "order; a partner that is down is retried with backoff. The partner's answer, and "
        "what its pickup_url mailbox holds, is applied as POST /api/v1/edi would.",
    )


def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Run until SIGTERM/SIGINT (exit 0); a partner or the store away is retried."""
    if args.health:
        return workers.run_health(settings, "edi")
    loop = workers.worker_loop(settings, "edi")
    hub = loop.open(lambda: open_hub(settings))
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    try:
        edi = loop.open(lambda: workers.build_edi(settings, hub))
        drop = loop.open(lambda: edi_transports.build_drop_directory(settings, hub))

        def idle() -> None:
            stopping.wait(settings.edi_poll_seconds)

        def step() -> int:  # the outbound side, then the drop directory when there is one
            return edi.step() + (drop.scan() if drop else 0)

        loop.run_sync(step, idle, stopping)
    except Exception as error:  # a bug or a configuration the worker cannot run with
        print(f"edi worker stopped by a fatal error: {error!r}")
        return 1
    finally:
        hub.close()
    return 0


def run_parked(args: argparse.Namespace, settings: Settings) -> int:
    for ref, partner, reason, at in workers.edi_documents(settings).parked():
        print(f"{at}  {partner}  {ref}  {reason}")
    return 0


def run_receive(args: argparse.Namespace, settings: Settings) -> int:
    if not args.file.is_file():
        return fail(f"edi receive: no file {args.file}")
    hub = open_hub(settings)
    try:
        gateway = edi_transports.build_file_gateway(settings, hub)
        show = _result_json if args.json else _result_text
        receipt = gateway.receive(args.file, args.partner, lambda each: print(show(each)))
    except DomainError as error:
        return fail(f"edi receive: {error}")
    finally:
        hub.close()
    summary = {
        "partner": receipt.partner, "payload_ref": receipt.ref, "applied": receipt.applied,
        "replayed": receipt.replayed, "refused_commands": receipt.problems,
        "refused": receipt.refused,
        "functional_ack": receipt.ack.decode("latin-1") if receipt.ack else None,
    }  # fmt: skip
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{receipt.ref} from {receipt.partner}: {receipt.applied} applied, "
              f"{receipt.replayed} replayed, {receipt.problems} refused")  # fmt: skip
        if receipt.refused:
            print(f"refused, parked: {receipt.refused}")
        if receipt.ack:
            print("our functional ack (worker edi delivers it):")
            print(receipt.ack.decode("latin-1"))
        elif not receipt.refused:
            print("functional ack: none (a partner's 997 / CONTRL, or a file streamed whole)")
    return 1 if receipt.refused else 0


def _result_text(each: DocumentResult) -> str:
    if isinstance(each.result, DomainError):
        return f"{each.message_id} {each.command}: refused: {each.result}"
    replayed = " (replayed)" if each.result.replayed else ""
    return f"{each.message_id} {each.command}: {each.result.status}{replayed}"


def _result_json(each: DocumentResult) -> str:
    answer: dict[str, object] = {"message_id": each.message_id, "command": each.command}
    if isinstance(each.result, DomainError):
        return json.dumps({**answer, "problem": str(each.result)})
    result = each.result
    outcome = {"status": result.status, "document": result.document, "replayed": result.replayed}
    return json.dumps({**answer, "outcome": outcome}, default=str)


def run_as2(args: argparse.Namespace, settings: Settings) -> int:
    from connectors.as2.receipts import As2Messages

    for each in As2Messages(workers.open_database(settings)).all():
        detail = f"  {each.detail}" if each.detail else ""
        print(f"{each.at}  {each.partner}  {each.message_id}  {each.status}{detail}")
    return 0


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    try:
        kept = workers.payloads(settings).get(args.ref)
    except UnknownPayloadError as error:
        return fail(f"edi show: {error}")
    sys.stdout.buffer.write(kept)
    sys.stdout.flush()
    return 0


def run_translate(args: argparse.Namespace, settings: Settings) -> int:
    return translating.run_translate(
        args, settings, "edi translate", _translate, EdiSyntaxError, _lines
    )


def _translate(path: Path, profile: PartnerProfile | None) -> list[Translation]:
    # Whole before printed: a file refused at its last trailer prints its refusal only.
    return list(translate_file(_chunks(path), profile))


def _lines(translations: list[Translation], as_json: bool) -> Iterator[str]:
    for translation in translations:
        yield from _json_lines(translation) if as_json else _text_lines(translation)


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            yield chunk


def _where(translation: Translation) -> dict[str, object]:
    return {
        "standard": translation.standard,
        "message": translation.message,
        "control": translation.control,
        "segment": translation.position,
    }


def _json_lines(translation: Translation) -> Iterator[str]:
    for command in translation.commands:
        name = WIRE_NAMES[type(command)]
        yield json.dumps({**_where(translation), "command": name, "fields": plain(command)})
    if translation.acknowledgment is not None:
        ack = plain(translation.acknowledgment)
        yield json.dumps({**_where(translation), "functional_ack": ack})


def _text_lines(translation: Translation) -> Iterator[str]:
    where = f"{translation.standard} {translation.message} {translation.control}"
    where += f" (segment {translation.position})"
    for command in translation.commands:
        yield from _command_text(where, command)
    if translation.acknowledgment is not None:
        yield from _ack_text(where, translation.acknowledgment)


def _command_text(where: str, command: Command) -> Iterator[str]:
    name = WIRE_NAMES[type(command)]
    if not isinstance(command, AcknowledgePurchaseOrder):
        yield f"{where}: {name} {json.dumps(plain(command))}"
        return
    yield f"{where}: {name} {command.po_number} revision {command.revision}"
    for answer in command.lines:
        said = [
            f"{label} {value}"
            for label, value in (
                ("quantity", answer.confirmed_quantity),
                ("date", answer.confirmed_date),
                ("price", answer.confirmed_price),
            )
            if value is not None
        ]
        yield f"  line {answer.line_number}: {answer.source_code} -> {answer.status}" + "".join(
            f", {each}" for each in said
        )


def _ack_text(where: str, ack: FunctionalAck) -> Iterator[str]:
    yield f"{where}: functional ack of {ack.reference}: {ack.result}" + "".join(
        f"; {error}" for error in ack.errors
    )
    for each in ack.sets:
        errors = "".join(f"; {error}" for error in each.errors)
        yield f"  {each.kind} {each.control}: {each.result}{errors}"
