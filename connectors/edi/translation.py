"""What translating a set or message gives, and reading its values into the domain's types.

Each value is read at a `Place` (standard, segment, its position in the interchange), so a
value that cannot be read is refused naming the standard, segment tag and position, element
and rule. Numbers and texts are held to the domain's own limits (domain/limits.py) here, so
the refusal names the element rather than a command field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar, get_args

from connectors.edi.errors import Fault, TranslationError
from connectors.edi.segment import Segment
from connectors.gateway.profile import PartnerProfile, UnknownMappingError
from domain.acknowledgement import AckStatus
from domain.commands import Command
from domain.limits import Day, DocumentNumber, LineNumber, Price, Quantity, Reference
from domain.shipment import AsnItem, AsnOrder, AsnPack

_V = TypeVar("_V")


class AckResult(StrEnum):
    """A functional acknowledgement's verdict on a set, group or interchange."""

    ACCEPTED = "accepted"
    ACCEPTED_WITH_ERRORS = "accepted_with_errors"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"
    RECEIVED = "received"  # EDIFACT 0083 8: received, not yet checked


@dataclass(frozen=True, slots=True)
class AcknowledgedSet:
    """One set or message a 997 / CONTRL answers (AK2+AK5, UCM)."""

    kind: str  # 850, ORDERS
    control: str  # ST02, UNH 0062
    result: AckResult
    errors: tuple[str, ...] = ()  # each as the partner said it: "AK3 PO1 at 4: 8", "UCM 0085 13"


@dataclass(frozen=True, slots=True)
class FunctionalAck:
    """A 997 or CONTRL: what the partner made of one of our groups or interchanges. Not a
    domain command: the gateway's bookkeeping of what it sent takes it (issue 13)."""

    standard: str
    reference: str  # the acknowledged GS06 / UNB 0020
    result: AckResult
    sets: tuple[AcknowledgedSet, ...] = ()
    errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Translation:
    """One set or message, translated: the canonical commands, or a functional ack."""

    standard: str
    message: str  # 855, ORDRSP, ...
    control: str  # ST02 / UNH 0062
    position: int  # its header's segment number in the interchange
    commands: tuple[Command, ...] = ()
    acknowledgment: FunctionalAck | None = None
    # "<sender id>:<ISA13 | UNB 0020>": with `group` and `control`, what a resend repeats
    # (set by connectors.edi.inbound, which reads the envelope)
    interchange: str = ""
    group: str = ""  # GS06 / UNG 0048: ST02 is unique only within its group ("" without UNG)

    @property
    def message_id(self) -> str:
        """The set's message id: ``edi:<sender>:<interchange>[:<group>]:<set>``, the same
        whenever the partner resends it, whichever door it comes in by."""
        group = f":{self.group}" if self.group else ""
        return f"edi:{self.interchange}{group}:{self.control}"


@dataclass(frozen=True, slots=True)
class Place:
    """A segment where the translator reads, for values and for refusals."""

    standard: str
    segment: Segment
    position: int

    def fail(
        self,
        element: str,
        rule: str,
        fault: Fault = Fault.INVALID_VALUE,
        at: tuple[int, int] | None = None,
        value: str | None = None,
    ) -> TranslationError:
        return TranslationError(
            self.standard, self.segment.tag, self.position, f"{element} {rule}", element,
            fault=fault, at=at, value=value,
        )  # fmt: skip

    def required(self, element: str, position: int, component: int = 1) -> str:
        value = self.segment.get(position, component)
        if not value.strip():
            raise self.fail(element, "is required here and empty", Fault.MISSING,
                            (position, component))  # fmt: skip
        return value.strip()

    def document_number(self, element: str, position: int, component: int = 1) -> str:
        value = self.required(element, position, component)
        return self.within(element, value, DocumentNumber, (position, component))

    def reference(self, element: str, position: int, component: int = 1) -> str:
        value = self.segment.get(position, component).strip()
        return self.within(element, value, Reference, (position, component))

    def line_number(self, element: str, position: int, component: int = 1) -> int:
        text = self.required(element, position, component)
        at = (position, component)
        if not (text.isascii() and text.isdigit()):
            raise self.fail(element, f"{text!r} is not a line number", Fault.INVALID_CHARACTER,
                            at, text)  # fmt: skip
        return self.within(element, int(text), LineNumber, at)

    def quantity(self, element: str, position: int, component: int = 1, mark: str = ".") -> Decimal:
        value = self.decimal(element, position, component, mark)
        return self.within(element, value, Quantity, (position, component))

    def price(self, element: str, position: int, component: int = 1, mark: str = ".") -> Decimal:
        value = self.decimal(element, position, component, mark)
        return self.within(element, value, Price, (position, component))

    def decimal(self, element: str, position: int, component: int = 1, mark: str = ".") -> Decimal:
        text = self.required(element, position, component)
        plain = text.replace(mark, ".") if mark != "." else text
        at = (position, component)
        if not all(c.isdigit() or c in ".-" for c in plain) or not plain.isascii():
            raise self.fail(element, f"{text!r} is not a number", Fault.INVALID_CHARACTER, at, text)
        try:
            return Decimal(plain)
        except InvalidOperation:
            raise self.fail(element, f"{text!r} is not a number", Fault.INVALID_CHARACTER, at,
                            text) from None  # fmt: skip

    def day(self, element: str, text: str, layout: str = "CCYYMMDD") -> date:
        """A date written ``CCYYMMDD`` or ``YYMMDD`` (X12 DT; EDIFACT 2379 102 / 101)."""
        digits = text.strip()
        if layout == "YYMMDD" and len(digits) == 6 and digits.isdigit():
            digits = ("20" if digits[:2] < "50" else "19") + digits
        wrong = f"{text!r} is not a date {layout}"
        if not (len(digits) == 8 and digits.isascii() and digits.isdigit()):
            raise self.fail(element, wrong, Fault.INVALID_DATE, value=text)
        try:
            value = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            raise self.fail(element, wrong, Fault.INVALID_DATE, value=text) from None
        return self.within(element, value, Day)

    def status(
        self,
        element: str,
        code: str,
        table: str,
        statuses: Mapping[str, AckStatus],
        profile: PartnerProfile,
    ) -> AckStatus:
        try:
            return profile.status(table, code.strip().upper(), statuses)
        except UnknownMappingError:
            known = ", ".join(sorted(statuses))
            rule = f"{code!r} is not in {table} nor the partner's overrides (known: {known})"
            raise self.fail(element, rule, Fault.INVALID_CODE, value=code) from None

    def mapped(self, element: str, value: str, look_up: Any) -> str:
        """``value`` through one of the profile's tables (``profile.unit``, ...)."""
        try:
            result: str = look_up(value)
        except UnknownMappingError as error:
            rule = f"{value!r} is not in the partner's {error.table} table"
            raise self.fail(element, rule, Fault.INVALID_CODE, value=value) from None
        return result

    def within(
        self, element: str, value: _V, limited: Any, at: tuple[int, int] | None = None
    ) -> _V:
        broken = get_args(limited)[1].broken(value)
        if broken is not None:
            shown = value.isoformat() if isinstance(value, date) else str(value)
            fault = Fault.INVALID_DATE if isinstance(value, date) else _fault_of(broken)
            raise self.fail(element, f"{value!r} {broken}", fault, at, shown)
        return value


def _fault_of(broken: str) -> Fault:
    """The kind of error a domain limit's rule (domain/limits.py) is: a length or a number of
    digits or decimals past the limit is too long; control characters invalid characters;
    anything else (a range, a sign) an invalid value."""
    if "control characters" in broken:
        return Fault.INVALID_CHARACTER
    if "characters" in broken or "digits" in broken or "decimal places" in broken:
        return Fault.TOO_LONG
    return Fault.INVALID_VALUE


def places(standard: str, segments: Sequence[Segment], first: int) -> Iterator[Place]:
    """The segments of a set or message with their positions in the interchange."""
    for offset, segment in enumerate(segments):
        yield Place(standard, segment, first + offset)


def first(rows: Sequence[Place], tag: str) -> Place:
    """The first ``tag`` segment; refused at the set's header when there is none."""
    for row in rows:
        if row.segment.tag == tag:
            return row
    rule = f"is required in a {rows[0].segment.get(1)} and missing"
    raise rows[0].fail(tag, rule, Fault.SEGMENT_MISSING)


def proposal_id(interchange: str, control: str, line: int) -> str:
    """A change proposal's id, the same whenever the same interchange comes again:
    ``<interchange control>-<set control>-<line>``, or a digest of them past 35 characters
    (the domain's DocumentNumber)."""
    plain = f"{interchange}-{control}-{line}"
    if len(plain) <= 35:
        return plain
    return f"edi-{hashlib.sha256(plain.encode()).hexdigest()[:24]}-{line}"


def shipped_orders(orders: Mapping[str, Mapping[str, list[AsnItem]]]) -> tuple[AsnOrder, ...]:
    """A ship notice's orders from its items grouped by PO number, then pack id, in the order
    the notice gave them (an 856's HL tree and a DESADV's CPS groups group the same way)."""
    return tuple(
        AsnOrder(po, tuple(AsnPack(pack, tuple(items)) for pack, items in packs.items()))
        for po, packs in orders.items()
    )
