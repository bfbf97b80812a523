"""What the X12 and EDIFACT writers share: a segment's text as the partner's bytes."""

from __future__ import annotations

from connectors.edi.errors import UnwritableValueError


def encoded(text: str, codec: str, standard: str, tag: str, position: int, charset: str) -> bytes:
    """``text`` in ``codec``; a character it cannot hold is refused naming the segment and
    ``charset`` (the character set as the partner names it)."""
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        raise UnwritableValueError(
            standard, tag, position, f"{text[exc.start]!r} cannot be written in {charset}"
        ) from None
