"""Writing EDIFACT: segments to bytes with a partner's service characters and character set.

Service characters in data are escaped with the release character; without one, or in a
character set that cannot carry a value, the value is refused by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from connectors.edi.edifact.syntax import DEFAULT, LEVEL_A, Syntax, codec
from connectors.edi.errors import UnwritableValueError
from connectors.edi.segment import Segment
from connectors.edi.writing import encoded


def write(segments: Iterable[Segment], syntax: Syntax, *, una: bool = True) -> bytes:
    """The interchange(s) as bytes; each UNB's S001 picks the character set it is written in."""
    return b"".join(encode(segments, syntax, una=una))


def encode(segments: Iterable[Segment], syntax: Syntax, *, una: bool = True) -> Iterator[bytes]:
    """One ``bytes`` per segment (a UNA before each UNB when ``una``)."""
    if not una and syntax.una() != DEFAULT.una():
        raise UnwritableValueError(
            "EDIFACT", "UNA", None, f"service characters {syntax.una()[3:]!r} need a UNA"
        )
    end = syntax.segment + syntax.line_break
    escaped = {char for char in syntax.service_characters if char != syntax.release}
    charset, name, position = "UNOA", "ascii", 0
    for segment in segments:
        if segment.tag == "UNB":
            charset, position = segment.get(1, 1), 1
            name = codec(charset, 1)
            if una:
                yield (syntax.una() + syntax.line_break).encode("ascii")
        else:
            position += 1
        text = _text(segment, syntax, escaped, position)
        if charset == "UNOA" and not set(text) <= LEVEL_A | set(syntax.service_characters):
            allowed = LEVEL_A | set(syntax.service_characters)
            bad = "".join(dict.fromkeys(char for char in text if char not in allowed))
            raise UnwritableValueError(
                "EDIFACT",
                segment.tag,
                position,
                f"{bad!r} is outside UNOA (level A: upper case, digits, few signs)",
            )
        yield encoded(text + end, name, "EDIFACT", segment.tag, position, charset)


def _text(segment: Segment, syntax: Syntax, escaped: set[str], position: int) -> str:
    parts = [segment.tag]
    for number, element in enumerate(segment.elements, start=1):
        if len(element) > 1 and syntax.repetition is None:
            raise UnwritableValueError(
                "EDIFACT",
                segment.tag,
                position,
                f"element {number} repeats, and this syntax has no repetition separator",
            )
        repeats = [
            syntax.component.join(
                _escape(value, syntax, escaped, segment.tag, number, position)
                for value in components
            )
            for components in element
        ]
        parts.append((syntax.repetition or "").join(repeats))
    return syntax.element.join(parts)


def _escape(
    value: str, syntax: Syntax, escaped: set[str], tag: str, number: int, position: int
) -> str:
    release = syntax.release
    if release is None:
        if set(value) & escaped:
            raise UnwritableValueError(
                "EDIFACT",
                tag,
                position,
                f"element {number} holds a service character and there is no release character",
            )
        return value
    if release in value:
        value = value.replace(release, release + release)
    for char in escaped:
        if char in value:
            value = value.replace(char, release + char)
    return value
