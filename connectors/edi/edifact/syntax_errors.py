"""EDIFACT's codes for what is wrong with a message, for our CONTRL (UCM, UCS, UCD).

0085 Syntax error, coded: the service code list of ISO 9735 that CONTRL D:3 reports with
(Stedi, https://stedi.com/edi/edifact/elements/0085), not the older list the batch
directories printed under the same number (D.96A's 1-11). The codes the hub says:

    12 invalid value       the value does not conform to the specification for it
    13 missing             a mandatory (or otherwise required) segment or element is missing
    14 value not supported in this position   valid, but not one the recipient takes here
    15 not supported in this position         the element may not be here
    16 too many constituents                  too many elements, or components
    35 too many repetitions
    37 invalid type of character(s)           e.g. a letter in a numeric element
    39 data element too long
    40 data element too short

UCD S011 names the element: 0098 its position in the segment (1 is the first element after
the tag), 0104 the component's position in a composite, left out for a simple element.
"""

from __future__ import annotations

from connectors.edi.errors import EdiSyntaxError, Fault

SYNTAX_ERROR: dict[Fault, str] = {
    Fault.MISSING: "13",
    Fault.CONDITIONAL_MISSING: "13",
    Fault.SEGMENT_MISSING: "13",
    Fault.TOO_MANY_ELEMENTS: "16",
    Fault.TOO_MANY_COMPONENTS: "16",
    Fault.TOO_SHORT: "40",
    Fault.TOO_LONG: "39",
    Fault.INVALID_CHARACTER: "37",
    Fault.INVALID_CODE: "12",
    Fault.INVALID_VALUE: "12",
    Fault.INVALID_DATE: "12",
    Fault.INVALID_TIME: "12",
    Fault.UNSUPPORTED: "14",
    Fault.EXCLUSION: "15",
    Fault.TOO_MANY_REPETITIONS: "35",
}
INVALID_VALUE = "12"

# Where each element the translators read stands: (position in the segment, component).
POSITION: dict[str, tuple[int, int]] = {
    "UNH 0062": (1, 1), "UNH 0065": (2, 1),
    "BGM 1001": (1, 1), "BGM 1004": (2, 1), "BGM 1225": (3, 1), "BGM 4343": (4, 1),
    "DTM 2005": (1, 1), "DTM 2380": (1, 2), "DTM 2379": (1, 3),
    "CUX 6347": (1, 1), "CUX 6345": (1, 2),
    "LIN 1082": (1, 1), "LIN 1229": (2, 1), "LIN 7140": (3, 1), "LIN 7143": (3, 2),
    "PRI 5125": (1, 1), "PRI 5118": (1, 2),
    "QTY 6063": (1, 1), "QTY 6060": (1, 2), "QTY 6411": (1, 3),
    "RFF 1153": (1, 1), "RFF 1154": (1, 2), "RFF 1156": (1, 3), "RFF 1060": (1, 5),
    "TDT 3127": (5, 1), "TDT 3128": (5, 4),
    "GIN 7405": (1, 1), "GIN 7402": (2, 1),
}  # fmt: skip
# The composites among them (tag, position): only there is a component position said.
_COMPOSITE = {("UNH", 2), ("BGM", 1), ("DTM", 1), ("CUX", 1), ("LIN", 3), ("PRI", 1),
              ("QTY", 1), ("RFF", 1), ("TDT", 5), ("GIN", 2)}  # fmt: skip


def syntax_error(error: EdiSyntaxError) -> str:
    """0085 for ``error`` (12, invalid value, when the refusal does not say what kind)."""
    return SYNTAX_ERROR.get(error.fault, INVALID_VALUE) if error.fault else INVALID_VALUE


def element_identification(error: EdiSyntaxError) -> list[str] | None:
    """S011 (0098, and 0104 for a component) of the element in error; None when unknown or
    the error is a segment's (a missing segment: the UCS alone says it)."""
    if error.fault is None or error.fault is Fault.SEGMENT_MISSING:
        return None
    at = error.at or POSITION.get(error.element)
    if at is None:
        return None
    element, component = at
    if (error.tag, element) in _COMPOSITE or component > 1:
        return [str(element), str(component)]
    return [str(element)]
