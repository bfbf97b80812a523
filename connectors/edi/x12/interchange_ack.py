"""TA1 Interchange Acknowledgment -> an InterchangeAck: what the partner made of our envelope.

A TA1 answers an interchange, not a group: TA101 is our ISA13, TA102 / TA103 its date and
time, TA104 (I17) the verdict, TA105 (I18) a note code saying what was wrong with the
envelope. It stands between an ISA and the first GS (connectors/edi/x12/reader.py keeps it
in ``Interchange.acknowledgments``).

I17 Interchange Acknowledgment Code: A accepted (no errors), E accepted with errors noted, R
rejected because of errors (https://stedi.com/edi/x12/segment/TA1). I18 Interchange Note
Code, X12 004010, below: the meaning is quoted in the case a rejection opens.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.edi.errors import Fault, TranslationError
from connectors.edi.segment import Segment

ACCEPTED, WITH_ERRORS, REJECTED = "A", "E", "R"
NOTES: dict[str, str] = {
    "000": "no error",
    "001": "the interchange control number in the header and trailer do not match",
    "002": "this standard as noted in the control standards identifier is not supported",
    "003": "this version of the controls is not supported",
    "004": "the segment terminator is invalid",
    "005": "invalid interchange ID qualifier for sender",
    "006": "invalid interchange sender ID",
    "007": "invalid interchange ID qualifier for receiver",
    "008": "invalid interchange receiver ID",
    "009": "unknown interchange receiver ID",
    "010": "invalid authorization information qualifier value",
    "011": "invalid authorization information value",
    "012": "invalid security information qualifier value",
    "013": "invalid security information value",
    "014": "invalid interchange date value",
    "015": "invalid interchange time value",
    "016": "invalid interchange standards identifier value",
    "017": "invalid interchange version ID value",
    "018": "invalid interchange control number value",
    "019": "invalid acknowledgment requested value",
    "020": "invalid test indicator value",
    "021": "invalid number of included groups value",
    "022": "invalid control structure",
    "023": "improper (premature) end-of-file (transmission)",
    "024": "invalid interchange content (e.g. invalid GS segment)",
    "025": "duplicate interchange control number",
    "026": "invalid data element separator",
    "027": "invalid component element separator",
    "028": "invalid delivery date in deferred delivery request",
    "029": "invalid delivery time in deferred delivery request",
    "030": "invalid delivery time code in deferred delivery request",
    "031": "invalid grade of service code",
}


@dataclass(frozen=True, slots=True)
class InterchangeAck:
    """One TA1: the interchange it answers (our ISA13), its verdict and note."""

    reference: str  # TA101
    code: str  # TA104: A, E, R
    note: str  # TA105

    @property
    def rejected(self) -> bool:
        return self.code == REJECTED

    @property
    def meaning(self) -> str:
        return NOTES.get(self.note, "a note code X12 I18 does not list")

    @property
    def detail(self) -> str:
        """As a case names it: ``TA1 R 025: duplicate interchange control number``."""
        return f"TA1 {self.code} {self.note}: {self.meaning}"


def read_ta1(segment: Segment, position: int) -> InterchangeAck:
    """The TA1 ``segment`` (at ``position`` in its interchange); refused naming the element
    when its control number is not one or its verdict not an I17 code."""
    reference, code, note = segment.get(1).strip(), segment.get(4).strip(), segment.get(5).strip()
    if not (reference.isascii() and reference.isdigit()):
        raise TranslationError(
            "X12", "TA1", position, f"TA101 {reference!r} is not an interchange control number",
            "TA101", fault=Fault.INVALID_CHARACTER, at=(1, 1), value=reference,
        )  # fmt: skip
    if code not in (ACCEPTED, WITH_ERRORS, REJECTED):
        raise TranslationError(
            "X12", "TA1", position, f"TA104 {code!r} is not in X12 I17 (known: A, E, R)",
            "TA104", fault=Fault.INVALID_CODE, at=(4, 1), value=code,
        )  # fmt: skip
    return InterchangeAck(reference, code, note)
