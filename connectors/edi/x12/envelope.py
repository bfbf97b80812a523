"""X12 envelopes: the ISA's fixed layout, control numbers, and building ISA/GS/ST around sets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from connectors.edi.errors import ElementError, UnwritableValueError
from connectors.edi.segment import Segment
from connectors.edi.x12.delimiters import Delimiters

# ISA01..ISA16: the ISA is fixed-width, which is how a reader finds its delimiters.
ISA_WIDTHS: Final = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
# GS08 version -> ISA12 interchange control version.
ISA_VERSIONS: Final = {"004010": "00401", "005010": "00501"}


def check_isa(isa: Segment, position: int) -> None:
    """The ISA's widths, ISA13 and ISA14/15 codes, as the standard fixes them."""
    values = isa.values()
    if len(values) != len(ISA_WIDTHS):
        raise ElementError("X12", "ISA", position, f"the ISA has {len(values)} elements, not 16")
    for number, (value, width) in enumerate(zip(values, ISA_WIDTHS, strict=True), start=1):
        if len(value) != width:
            raise ElementError(
                "X12",
                "ISA",
                position,
                f"ISA{number:02d} is {len(value)} characters; the standard fixes it at {width}",
                f"ISA{number:02d}",
            )
    if not values[12].isdigit() or not values[12].isascii():
        raise ElementError("X12", "ISA", position, f"ISA13 {values[12]!r} is not a number", "ISA13")
    if values[13] not in ("0", "1"):
        raise ElementError("X12", "ISA", position, f"ISA14 is {values[13]!r}, not 0 or 1", "ISA14")
    if values[14] not in ("P", "T", "I"):
        raise ElementError(
            "X12", "ISA", position, f"ISA15 is {values[14]!r}, not P, T or I", "ISA15"
        )


def control_number(
    segment: Segment,
    index: int,
    name: str,
    position: int,
    *,
    minimum: int,
    maximum: int,
    digits: bool = True,
) -> int:
    """A control number's value, refused if its width or characters break the standard
    (a control number of 2^64 is simply too long: ST02 is 4-9 characters, GS06 1-9 digits)."""
    value = segment.get(index)
    if not minimum <= len(value) <= maximum:
        allowed = (
            f"fixes it at {maximum}" if minimum == maximum else f"allows {minimum} to {maximum}"
        )
        raise ElementError(
            "X12",
            segment.tag,
            position,
            f"{name} is {len(value)} characters; the standard {allowed}",
            name,
        )
    if not digits:
        return 0
    if not (value.isdigit() and value.isascii()):
        raise ElementError("X12", segment.tag, position, f"{name} {value!r} is not a number", name)
    return int(value)


def count(segment: Segment, index: int, name: str, position: int) -> int:
    """A trailer's count (SE01, GE01, IEA01): digits only, at most 10 of them."""
    return control_number(segment, index, name, position, minimum=1, maximum=10)


@dataclass(frozen=True, slots=True)
class X12Envelope:
    """Who is writing to whom, and the control numbers the caller allocated."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    interchange_control: int
    group_control: int
    prepared: datetime
    version: str = "004010"
    application_sender: str = ""
    application_receiver: str = ""
    test: bool = False
    acknowledgment_requested: bool = False


def transaction_set(code: str, control: str, body: Sequence[Segment]) -> list[Segment]:
    """ST, the body, and an SE that counts them."""
    return [Segment.of("ST", code, control), *body, Segment.of("SE", str(len(body) + 2), control)]


def enclose(
    sets: Sequence[Sequence[Segment]],
    functional_id: str,
    envelope: X12Envelope,
    delimiters: Delimiters,
) -> list[Segment]:
    """One interchange of one functional group around ``sets`` (each ST..SE)."""
    if envelope.version not in ISA_VERSIONS:
        raise UnwritableValueError(
            "X12", "GS", None, f"version {envelope.version!r} is not 004010 or 005010", "GS08"
        )
    isa_version = ISA_VERSIONS[envelope.version]
    if isa_version >= "00402" and delimiters.repetition is None:
        raise UnwritableValueError(
            "X12", "ISA", 1, f"ISA12 {isa_version} needs a repetition separator in ISA11", "ISA11"
        )
    repetition = delimiters.repetition if isa_version >= "00402" else "U"
    interchange = _number(envelope.interchange_control, 9, "ISA13")
    group = _number(envelope.group_control, 9, "GS06")
    when = envelope.prepared
    isa = Segment.of(
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        envelope.sender_qualifier.ljust(2),
        envelope.sender_id.ljust(15),
        envelope.receiver_qualifier.ljust(2),
        envelope.receiver_id.ljust(15),
        when.strftime("%y%m%d"),
        when.strftime("%H%M"),
        repetition or "U",
        isa_version,
        interchange.zfill(9),
        "1" if envelope.acknowledgment_requested else "0",
        "T" if envelope.test else "P",
        delimiters.component,
    )
    check_isa(isa, position=1)
    gs = Segment.of(
        "GS",
        functional_id,
        envelope.application_sender or envelope.sender_id,
        envelope.application_receiver or envelope.receiver_id,
        when.strftime("%Y%m%d"),
        when.strftime("%H%M"),
        group,
        "X",
        envelope.version,
    )
    body = [segment for each in sets for segment in each]
    ge = Segment.of("GE", str(len(sets)), group)
    return [isa, gs, *body, ge, Segment.of("IEA", "1", interchange.zfill(9))]


def _number(value: int, width: int, name: str) -> str:
    if not 0 < value < 10**width:
        raise UnwritableValueError(
            "X12", name[:-2], None, f"{name} {value} does not fit {width} digits", name
        )
    return str(value)
