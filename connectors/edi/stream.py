"""A moving window over input chunks, so an interchange is read without being held whole."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final

Chunk = bytes | bytearray | memoryview | str

# A segment longer than this is a file without our terminator, not a segment: stop reading
# rather than buffer the whole input looking for one.
MAX_SEGMENT_BYTES: Final = 1 << 20
_BOM: Final = b"\xef\xbb\xbf"


class ByteWindow:
    """The unread part of the input, topped up from the chunks as a search needs it.

    Offsets are relative to the read position.  ``text`` says whether the chunks were
    ``str`` (encoded here as UTF-8, so the readers decode them as UTF-8 whatever the
    interchange declares: the characters were decoded before they reached us).
    """

    def __init__(self, chunks: Iterable[Chunk]) -> None:
        self._chunks: Iterator[Chunk] = iter(chunks)
        self._buffer = b""
        self._pos = 0
        self.text: bool | None = None
        self.consumed = 0  # bytes consumed before the window, for messages

    def _more(self) -> bool:
        for chunk in self._chunks:
            if isinstance(chunk, str):
                data = chunk.encode("utf-8")
                is_text = True
            else:
                data = bytes(chunk)
                is_text = False
            if self.text is None:
                self.text = is_text
            elif self.text != is_text:
                raise TypeError("chunks must be all bytes or all str, not a mixture")
            if not data:
                continue
            self.consumed += self._pos
            self._buffer = self._buffer[self._pos :] + data
            self._pos = 0
            return True
        return False

    def peek(self, size: int) -> bytes:
        """Up to ``size`` unread bytes (fewer only at the end of the input)."""
        while len(self._buffer) - self._pos < size and self._more():
            pass
        return self._buffer[self._pos : self._pos + size]

    def take(self, size: int) -> bytes:
        data = self.peek(size)
        self._pos += len(data)
        return data

    def skip(self, ignorable: bytes) -> None:
        """Advance over any run of the bytes in ``ignorable`` (line breaks, blanks)."""
        while True:
            buffer, pos = self._buffer, self._pos
            while pos < len(buffer) and buffer[pos] in ignorable:
                pos += 1
            self._pos = pos
            if pos < len(buffer) or not self._more():
                return

    def skip_bom(self) -> None:
        """Drop a UTF-8 byte order mark that editors put before the first segment."""
        if self.peek(len(_BOM)) == _BOM:
            self._pos += len(_BOM)

    def find(self, needle: bytes, offset: int = 0) -> int:
        """Offset of ``needle`` at or after ``offset``; -1 if the input ends first or the
        window would grow past ``MAX_SEGMENT_BYTES`` (the caller reports which)."""
        while True:
            found = self._buffer.find(needle, self._pos + offset)
            if found >= 0:
                return found - self._pos
            available = len(self._buffer) - self._pos
            if available > MAX_SEGMENT_BYTES or not self._more():
                return -1
            offset = max(offset, available - len(needle) + 1)

    def at_end(self) -> bool:
        return not self.peek(1)
