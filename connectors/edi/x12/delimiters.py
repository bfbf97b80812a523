"""The four X12 delimiters, as an ISA declares them or a partner profile asks for them."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.edi.errors import DelimiterError


@dataclass(frozen=True, slots=True)
class Delimiters:
    """Element separator (ISA's 4th character), component separator (ISA16), segment
    terminator (the character after ISA16) and repetition separator (ISA11 from version
    00402 on; ``None`` before it).  ``line_break`` is written after each terminator and
    skipped when reading; it is never data."""

    element: str = "*"
    component: str = ">"
    segment: str = "~"
    repetition: str | None = "^"
    line_break: str = ""

    def __post_init__(self) -> None:
        check_delimiters(
            self.element, self.component, self.segment, self.repetition, self.line_break, None
        )

    @property
    def characters(self) -> str:
        return self.element + self.component + self.segment + (self.repetition or "")


def check_delimiters(
    element: str,
    component: str,
    segment: str,
    repetition: str | None,
    line_break: str,
    position: int | None,
) -> None:
    """Refuse delimiters that could not be told apart from data or from each other."""
    named = {
        "element separator": element,
        "component separator (ISA16)": component,
        "segment terminator": segment,
    }
    if repetition is not None:
        named["repetition separator (ISA11)"] = repetition
    for name, char in named.items():
        if len(char) != 1:
            raise DelimiterError("X12", "ISA", position, f"the {name} must be one character")
        if char.isalnum() or char == " ":
            raise DelimiterError(
                "X12", "ISA", position, f"the {name} {char!r} is a character data may hold"
            )
    seen: dict[str, str] = {}
    for name, char in named.items():
        if char in seen:
            raise DelimiterError(
                "X12", "ISA", position, f"the {name} and the {seen[char]} are both {char!r}"
            )
        seen[char] = name
    if line_break.strip("\r\n"):
        raise DelimiterError("X12", "ISA", position, "a line break is made of CR and LF only")
    if set(line_break) & set(named.values()):
        raise DelimiterError("X12", "ISA", position, "the line break uses a delimiter")
