"""EDIFACT service characters (UNA) and character sets (UNB S001), as ISO 9735 gives them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from connectors.edi.errors import CharacterSetError, DelimiterError

# UNB S001 0001 -> the Python codec for its repertoire.  UNOA/UNOB are ISO 646 (ASCII);
# UNOC..UNOK and UNOL are the ISO 8859 parts; UNOW and UNOY are ISO 10646 written as UTF-8.
# UNOX (ISO 2022 code extension) switches sets with escape sequences whose bytes may be
# service characters, so it is refused rather than misread.
CHARSETS: Final = {
    "UNOA": "ascii",
    "UNOB": "ascii",
    "UNOC": "iso8859-1",
    "UNOD": "iso8859-2",
    "UNOE": "iso8859-5",
    "UNOF": "iso8859-7",
    "UNOG": "iso8859-3",
    "UNOH": "iso8859-4",
    "UNOI": "iso8859-6",
    "UNOJ": "iso8859-8",
    "UNOK": "iso8859-9",
    "UNOL": "iso8859-15",
    "UNOW": "utf-8",
    "UNOY": "utf-8",
}
# Level A's repertoire: upper-case letters, digits, space and these.
LEVEL_A: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-()/='+:?!\"%&*;<>")


def codec(charset: str, position: int | None) -> str:
    """The codec for a UNB S001 syntax identifier; unknown or unsupported ones refused."""
    try:
        return CHARSETS[charset]
    except KeyError:
        reason = (
            "UNOX (ISO 2022 code extension) is not supported"
            if charset == "UNOX"
            else f"{charset!r} is not a syntax identifier of ISO 9735 (UNOA-UNOY)"
        )
        raise CharacterSetError("EDIFACT", "UNB", position, f"S001 0001 {reason}", "0001") from None


@dataclass(frozen=True, slots=True)
class Syntax:
    """The service characters and the character set an interchange is written with.

    ``release`` and ``repetition`` are ``None`` when unused (a UNA with a space there).
    ``line_break`` is written after each terminator and skipped when reading.
    """

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str | None = "?"
    repetition: str | None = None
    segment: str = "'"
    charset: str = "UNOC"
    version: str = "3"
    line_break: str = ""

    def __post_init__(self) -> None:
        check_service_characters(self, None)
        codec(self.charset, None)

    @property
    def service_characters(self) -> str:
        return (
            self.component
            + self.element
            + self.segment
            + (self.release or "")
            + (self.repetition or "")
        )

    def una(self) -> str:
        """The service string advice that declares these characters."""
        return (
            f"UNA{self.component}{self.element}{self.decimal}{self.release or ' '}"
            f"{self.repetition or ' '}{self.segment}"
        )

    def number(self, text: str) -> Decimal:
        """A numeric value as written; either decimal mark is read, as ISO 9735 requires."""
        try:
            return Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValueError(f"{text!r} is not a number") from None


def check_service_characters(syntax: Syntax, position: int | None) -> None:
    named = {
        "component separator": syntax.component,
        "data element separator": syntax.element,
        "segment terminator": syntax.segment,
    }
    if syntax.release is not None:
        named["release character"] = syntax.release
    if syntax.repetition is not None:
        named["repetition separator"] = syntax.repetition
    if syntax.decimal not in (".", ","):
        raise DelimiterError(
            "EDIFACT", "UNA", position, f"the decimal mark is {syntax.decimal!r}, not . or ,"
        )
    seen: dict[str, str] = {}
    for name, char in named.items():
        if len(char) != 1 or char.isalnum() or char == " ":
            raise DelimiterError(
                "EDIFACT", "UNA", position, f"the {name} {char!r} cannot be a service character"
            )
        if char in seen:
            raise DelimiterError(
                "EDIFACT", "UNA", position, f"the {name} and the {seen[char]} are both {char!r}"
            )
        seen[char] = name
    if syntax.line_break.strip("\r\n") or set(syntax.line_break) & set(named.values()):
        raise DelimiterError(
            "EDIFACT", "UNA", position, "a line break is CR and LF only, and no service character"
        )


DEFAULT: Final = Syntax()
# Without a UNA, a UNOB interchange may use ISO 9735's level B separators (IS4, IS3, US).
LEVEL_B: Final = Syntax(component="\x1f", element="\x1d", release=None, segment="\x1c")
