"""Why an interchange was refused: one typed error per rule, each naming where it broke.

Every message reads ``<standard> <tag> at segment <n>: <rule>``, where ``n`` counts the
segments of the interchange from its header (ISA or UNB is 1; a UNA is not a segment and is
named without a number), and the rule names the element (``SE01``, ``UNT 0074``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Fault(StrEnum):
    """What is wrong, in words each standard's error codes say in its own (X12 723 and 720 in
    connectors/edi/x12/syntax_errors.py, EDIFACT 0085 in connectors/edi/edifact/...)."""

    MISSING = "missing"  # a mandatory (or here required) element is empty or absent
    CONDITIONAL_MISSING = "conditional_missing"  # required because another one is there
    TOO_MANY_ELEMENTS = "too_many_elements"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    INVALID_CHARACTER = "invalid_character"  # e.g. a letter where a number is due
    INVALID_CODE = "invalid_code"  # a code no table (nor the partner's) knows
    INVALID_DATE = "invalid_date"
    INVALID_TIME = "invalid_time"
    EXCLUSION = "exclusion"  # two elements present that exclude each other
    TOO_MANY_REPETITIONS = "too_many_repetitions"
    TOO_MANY_COMPONENTS = "too_many_components"
    UNSUPPORTED = "unsupported"  # a valid code the hub does not take (381, a credit note)
    INVALID_VALUE = "invalid_value"  # well-formed, but not a value the rule allows
    SEGMENT_MISSING = "segment_missing"  # a segment the set needs (its tag the error's value)


class EdiSyntaxError(ValueError):
    """An interchange breaks a rule of its syntax; the base of every refusal here.

    Beside the words: ``fault`` (what kind of error), ``at`` (the element's position in its
    segment and the component's, 1-based, when the raiser knows them) and ``value`` (the bad
    value as read; for a missing segment, its tag), which our 997 / CONTRL report as codes
    (AK4, UCD)."""

    def __init__(
        self,
        standard: str,
        tag: str,
        position: int | None,
        rule: str,
        element: str = "",
        *,
        fault: Fault | None = None,
        at: tuple[int, int] | None = None,
        value: str | None = None,
    ) -> None:
        where = f"{standard} {tag}" if tag else standard
        if position is not None:
            where += f" at segment {position}"
        super().__init__(f"{where}: {rule}")
        self.standard = standard
        self.tag = tag
        self.position = position
        self.element = element
        self.rule = rule
        self.fault = fault
        self.at = at
        self.value = value
        # Which interchange of the input broke (1 = the first): a file may hold several, and
        # ``position`` counts from the header of the one it is in.
        self.interchange = 1


class DelimiterError(EdiSyntaxError):
    """The header declares delimiters that cannot work (repeated, alphanumeric, missing)."""


class TruncatedInputError(EdiSyntaxError):
    """The input ended inside a segment or before the envelope's trailer."""


class EnvelopeError(EdiSyntaxError):
    """A segment where the envelope does not allow it (ST outside GS, UNH after UNZ, ...)."""


class ControlCountError(EdiSyntaxError):
    """A trailer's count (SE01, GE01, IEA01, UNT 0074, UNE 0060, UNZ 0036) is wrong."""


class ControlNumberError(EdiSyntaxError):
    """A trailer's control number or reference differs from its header's."""


class ElementError(EdiSyntaxError):
    """An envelope element has the wrong width, kind of character or value."""


class CharacterSetError(EdiSyntaxError):
    """Bytes outside the declared character set, or a character set we do not read."""


class UnwritableValueError(EdiSyntaxError):
    """The writer was given a value the chosen delimiters or character set cannot carry."""


class TranslationError(EdiSyntaxError):
    """A well-formed set that cannot be said as canonical commands: a value missing, not a
    number or date, past the domain's limits, or a code no table (nor the partner) knows."""


@dataclass(frozen=True)
class Trailer:
    """A trailer (SE, GE, IEA; UNT, UNE, UNZ) checked against what it closes: its count, and
    its control number or reference against the header's. Both standards word the refusal
    the same way: `SE01 is 7 but the set has 8 segments`, `UNT 0062 is '2' but UNH 0062 ...`."""

    standard: str
    tag: str
    position: int

    def counts(self, element: str, declared: int, actual: int, but: str) -> None:
        """`declared` (the trailer's `element`) must be `actual`; `but` says what was found."""
        if declared != actual:
            raise ControlCountError(
                self.standard, self.tag, self.position,
                f"{self._label(element)} is {declared} but {but}", element,
            )  # fmt: skip

    def refers(
        self, element: str, value: str, header: str, expected: str, *, matches: bool | None = None
    ) -> None:
        """The trailer's `value` must be the header's `expected` (or `matches` says whether a
        numeric comparison held); `header` names the header element, and where it was."""
        if value == expected if matches is None else matches:
            return
        raise ControlNumberError(
            self.standard, self.tag, self.position,
            f"{self._label(element)} is {value!r} but {header} is {expected!r}", element,
        )  # fmt: skip

    def _label(self, element: str) -> str:
        # X12 names an element by its segment (SE01); EDIFACT by its number (UNT 0074).
        return element if element.startswith(self.tag) else f"{self.tag} {element}"
