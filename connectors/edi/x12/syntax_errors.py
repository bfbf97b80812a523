"""X12's codes for what is wrong with a set, for our 997 (AK3, AK4, AK5), from a refusal.

723 Data Element Syntax Error Code (AK403), X12 004010 (Stedi,
https://stedi.com/edi/x12-004010/element/723): 1 mandatory data element missing, 2
conditional required data element missing, 3 too many data elements, 4 data element too
short, 5 data element too long, 6 invalid character in data element, 7 invalid code value,
8 invalid date, 9 invalid time, 10 exclusion condition violated; from 005010 on also 12 too
many repetitions and 13 too many components (https://stedi.com/edi/x12-005050/element/723).
723 has no code for a value that is well formed but not one the rule allows (an HL02 naming
no earlier HL): 7 is the nearest, and what it is given.

720 Segment Syntax Error Code (AK304): 3 mandatory segment missing, 8 segment has data
element errors. 717 (AK502): 1 transaction set not supported, 5 one or more segments in error.

AK402 is the data element's reference number in the X12 dictionary, where the hub reads it.
"""

from __future__ import annotations

from connectors.edi.errors import EdiSyntaxError, Fault

DATA_ELEMENT_ERROR: dict[Fault, str] = {
    Fault.MISSING: "1",
    Fault.CONDITIONAL_MISSING: "2",
    Fault.TOO_MANY_ELEMENTS: "3",
    Fault.TOO_SHORT: "4",
    Fault.TOO_LONG: "5",
    Fault.INVALID_CHARACTER: "6",
    Fault.INVALID_CODE: "7",
    Fault.UNSUPPORTED: "7",
    Fault.INVALID_VALUE: "7",
    Fault.INVALID_DATE: "8",
    Fault.INVALID_TIME: "9",
    Fault.EXCLUSION: "10",
    Fault.TOO_MANY_REPETITIONS: "12",
    Fault.TOO_MANY_COMPONENTS: "13",
}
# Before 005010 723 has no 12 or 13: a repetition or a component too many is an element
# too many in a version without repetition separators.
_BEFORE_005010 = {"12": "3", "13": "3"}
SEGMENT_MISSING = "3"  # 720
SEGMENT_IN_ERROR = "8"  # 720
SET_NOT_SUPPORTED = "1"  # 717
SEGMENTS_IN_ERROR = "5"  # 717

# The reference number (AK402) of each element the translators read, X12 004010.
REFERENCE: dict[str, str] = {
    "ST01": "143", "ST02": "329",
    "BAK01": "353", "BAK02": "587", "BAK03": "324", "BAK04": "373",
    "BCA01": "353", "BCA02": "587", "BCA03": "324", "BCA05": "327",
    "PO101": "350", "PO102": "330", "PO103": "355", "PO104": "212",
    "POC01": "350", "POC02": "670", "POC03": "330", "POC06": "212",
    "ACK01": "668", "ACK02": "380", "ACK03": "355", "ACK04": "374", "ACK05": "373",
    "REF01": "128", "REF02": "127",
    "BIG01": "373", "BIG02": "76", "BIG04": "324",
    "CUR01": "98", "CUR02": "100",
    "IT101": "350", "IT102": "358", "IT103": "355", "IT104": "212",
    "BSN01": "353", "BSN02": "396", "BSN03": "373",
    "DTM01": "374", "DTM02": "373",
    "TD503": "67", "TD505": "387",
    "HL01": "628", "HL02": "734", "HL03": "735",
    "PRF01": "324", "MAN01": "88", "MAN02": "87",
    "LIN01": "350", "SN101": "350", "SN102": "382", "SN103": "355",
}  # fmt: skip


def data_element_error(error: EdiSyntaxError, version: str) -> str | None:
    """AK403 for ``error``; None when it is not about one element (no AK4)."""
    if error.fault is None or error.fault is Fault.SEGMENT_MISSING:
        return None
    code = DATA_ELEMENT_ERROR[error.fault]
    return _BEFORE_005010.get(code, code) if version < "005010" else code


def element_position(error: EdiSyntaxError) -> tuple[int, int] | None:
    """(element, component) in the segment: as the refusal says, else from the element's name
    (``PO103``: 3, 1); None when neither says."""
    if error.at is not None:
        return error.at
    digits = error.element[len(error.tag) :] if error.element.startswith(error.tag) else ""
    if len(digits) == 2 and digits.isdigit() and int(digits) > 0:
        return int(digits), 1
    return None


def missing_segment(error: EdiSyntaxError) -> str:
    """The tag of the segment a refusal says is missing (its value, else its element's)."""
    if error.value:
        return error.value
    name = error.element.split()[0] if error.element else error.tag
    return name[:-2] if len(name) >= 4 and name[-2:].isdigit() else name
