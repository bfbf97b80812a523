"""Inbound command messages: the pure translation from a NATS message to a canonical command.

Subject `supplyhub.commands.<wire name>`, JSON body = the command's fields (an
acknowledgement's lines in the channel's own `code`, translated here by the table the
`Supplyhub-Channel` header selects), header
`Nats-Msg-Id` = the idempotency key; optional `Supplyhub-Correlation-Id`, `Supplyhub-Causation-Id`,
`Supplyhub-Actor`, `Supplyhub-Channel`, `Supplyhub-Tenant`, `Supplyhub-Payload-Ref`. The key is
unique within the namespace those declare (`Provenance.namespace`: the tenant's supplier if
set, else the actor), never across publishers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import cache
from typing import Annotated, Any

import pydantic

from connectors.cxml.codes import CONFIRMATION_STATUS
from connectors.edi.edifact.codes import LINE_ACTION
from connectors.edi.x12.codes import LINE_ITEM_STATUS
from connectors.erp.codes import ANSWER_CODES
from domain import commands as c
from domain import limits
from domain.acknowledgement import AckCodes
from domain.commands import COMMANDS, Command
from domain.limits import (
    MAX_LINES,
    Code,
    Day,
    DocumentNumber,
    LineNumber,
    Note,
    Price,
    QuantityOrZero,
    Revision,
)
from domain.provenance import Channel, Provenance

SUBJECT_PREFIX = "supplyhub.commands."
COMMAND_SUBJECTS = SUBJECT_PREFIX + ">"

# The answer codes each channel's translator may send here: its own table
# (connectors/<channel>/codes.py). The portal's words are the portal edge's
# (api/graphql/codes.py); the composition root adds them (supplyhub/workers.py).
AnswerTables = Mapping[Channel, AckCodes]
ANSWER_TABLES: AnswerTables = {
    Channel.ERP: ANSWER_CODES,
    Channel.X12: LINE_ITEM_STATUS,
    Channel.EDIFACT: LINE_ACTION,
    Channel.CXML: CONFIRMATION_STATUS,
}


@dataclass(frozen=True)
class LineAnswerMessage:
    """One line of `acknowledge_purchase_order` as sent: in the channel's own `code`."""

    line_number: LineNumber
    code: Code
    confirmed_quantity: QuantityOrZero | None = None
    confirmed_date: Day | None = None
    confirmed_price: Price | None = None
    note: Note = ""

    def answer(self, codes: AckCodes, index: int) -> c.LineAnswer:
        status = codes.status(self.code, f"lines[{index}].code")
        return c.LineAnswer(
            self.line_number, status, self.code, self.confirmed_quantity, self.confirmed_date,
            self.confirmed_price, self.note,
        )  # fmt: skip


@dataclass(frozen=True)
class AcknowledgementMessage:
    """`acknowledge_purchase_order` as sent; `command` translates it with the channel's table."""

    po_number: DocumentNumber
    revision: Revision
    lines: Annotated[tuple[LineAnswerMessage, ...], MAX_LINES]

    def command(self, channel: Channel, tables: AnswerTables) -> c.AcknowledgePurchaseOrder:
        codes = tables.get(channel)
        if codes is None:
            known = ", ".join(tables)
            raise InvalidMessageError(
                f"Supplyhub-Channel header: no answer codes for {channel.value} (known: {known})"
            )
        answers = tuple(line.answer(codes, i) for i, line in enumerate(self.lines))
        return c.AcknowledgePurchaseOrder(self.po_number, self.revision, answers)


# What is parsed for each wire name: the command itself, but for the one whose lines carry
# the channel's own codes.
Parsed = Command | AcknowledgementMessage
_WIRE: dict[str, type[Parsed]] = {**COMMANDS, "acknowledge_purchase_order": AcknowledgementMessage}
limits.forbid_unknown_fields(AcknowledgementMessage)


@dataclass(frozen=True)
class InboundMessage:
    """What the worker keeps of a NATS message: enough to apply it again later."""

    subject: str
    headers: dict[str, str]
    body: bytes

    @property
    def message_id(self) -> str:
        return self.headers.get("Nats-Msg-Id", "")


class InvalidMessageError(Exception):
    """The message can never be applied as sent; the reason names the field."""


@cache
def _adapter(wire_name: str, limited: bool) -> pydantic.TypeAdapter[Parsed]:
    """Without the limits: the fast parse (the hub checks every limit after it); with them:
    when that fails, to name the limits broken beside the parse errors in one reason."""
    with limits.limits_left_out(not limited):
        return pydantic.TypeAdapter(_WIRE[wire_name])


def to_command(
    message: InboundMessage, at: datetime, tables: AnswerTables = ANSWER_TABLES
) -> tuple[Command, Provenance]:
    """The canonical command and its provenance; `at` is when the hub accepted the message.

    An acknowledgement's codes are read with the table of the message's channel; a code the
    table does not know is refused with the domain's `ValidationError`, naming the line
    (`lines[0].code`), as the hub refused it before the tables moved to the edges."""
    parsed, provenance = _parsed(message), _provenance(message, at)
    if isinstance(parsed, AcknowledgementMessage):
        return parsed.command(provenance.channel, tables), provenance
    return parsed, provenance


def to_body(command: Command) -> dict[str, Any]:
    """The message body for `command`, as `to_command` reads it (an acknowledgement's lines in
    their source `code`): for publishers that hold canonical commands, like the benchmarks."""
    fields = asdict(command)
    if isinstance(command, c.AcknowledgePurchaseOrder):
        fields["lines"] = [asdict(LineAnswerMessage(
            a.line_number, a.source_code, a.confirmed_quantity, a.confirmed_date,
            a.confirmed_price, a.note,
        )) for a in command.lines]  # fmt: skip
    return fields


def _parsed(message: InboundMessage) -> Parsed:
    wire_name = message.subject.removeprefix(SUBJECT_PREFIX)
    command_type = COMMANDS.get(wire_name)
    if not message.subject.startswith(SUBJECT_PREFIX) or command_type is None:
        raise InvalidMessageError(f"subject: unknown command type {wire_name!r}")
    fields = _fields(message)
    try:
        return _adapter(wire_name, False).validate_python(fields)
    except pydantic.ValidationError:
        pass
    try:
        return _adapter(wire_name, True).validate_python(fields)  # fails again, naming all
    except pydantic.ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in e['loc']) or 'body'}: {_rule(e)}"
            for e in error.errors()
        )
        raise InvalidMessageError(problems) from None


def _rule(error: Any) -> str:
    """A domain limit's own words (domain/limits.py), not pydantic's "Value error, ..."."""
    return limits.rule_of(error["type"], str(error["msg"]), error.get("ctx"))


def _fields(message: InboundMessage) -> dict[str, Any]:
    try:
        fields = json.loads(message.body)
    except ValueError as error:
        raise InvalidMessageError(f"body: not JSON ({error})") from None
    if not isinstance(fields, dict):
        raise InvalidMessageError("body: must be a JSON object of the command's fields")
    return fields


def _provenance(message: InboundMessage, at: datetime) -> Provenance:
    headers = message.headers
    message_id = message.message_id
    if not message_id:
        raise InvalidMessageError("Nats-Msg-Id header: required, it is the idempotency key")
    try:
        channel = Channel(headers.get("Supplyhub-Channel", Channel.ERP.value))
    except ValueError:
        allowed = ", ".join(c.value for c in Channel)
        raise InvalidMessageError(f"Supplyhub-Channel header: must be one of {allowed}") from None
    return Provenance(
        message_id=message_id,
        correlation_id=headers.get("Supplyhub-Correlation-Id", message_id),
        causation_id=headers.get("Supplyhub-Causation-Id", message_id),
        actor=headers.get("Supplyhub-Actor", "connector"),
        channel=channel,
        at=at,
        payload_ref=headers.get("Supplyhub-Payload-Ref", f"nats:{message.subject}:{message_id}"),
        tenant=headers.get("Supplyhub-Tenant", ""),
    )


def document_key(fields: Mapping[str, Any]) -> str | None:
    """The document a command is about, which orders it: later commands wait behind a failure.

    A goods receipt is ordered with its purchase order; an ASN and an invoice are their own
    documents, keyed by supplier and number.
    """
    if "hold_id" in fields:
        return f"quality:{fields['hold_id']}"
    if "invoice_number" in fields:
        return f"invoice:{fields.get('supplier', '')}:{fields['invoice_number']}"
    if "po_number" in fields:
        return f"po:{fields['po_number']}"
    if "asn_number" in fields:
        return f"asn:{fields.get('supplier', '')}:{fields['asn_number']}"
    if "key" in fields:
        return f"exception:{fields['key']}"
    if "supplier" in fields:
        return f"supplier:{fields['supplier']}"
    return None


def document_of(message: InboundMessage, command: Command | None = None) -> str:
    """The document key, read from the raw body when the command did not parse."""
    if command is not None:
        fields: Mapping[str, Any] = vars(command)
    else:
        try:
            parsed = json.loads(message.body)
        except ValueError:
            parsed = None
        fields = parsed if isinstance(parsed, dict) else {}
    return document_key(fields) or f"message:{message.message_id or message.subject}"
