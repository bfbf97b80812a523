"""A segment as both syntaxes read it: a tag and elements of repeated components."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Components = tuple[str, ...]
# An element is its repetitions (one, unless the syntax's repetition separator was used),
# each a tuple of components (one, unless it is a composite).
Element = tuple[Components, ...]


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment, with its values unescaped and decoded; positions count from 1."""

    tag: str
    elements: tuple[Element, ...] = ()

    @classmethod
    def of(cls, tag: str, *values: str | Sequence[str]) -> Segment:
        """A segment from simple values (``str``) and composites (a sequence of ``str``).

        Trailing empty elements and components are dropped, as both standards require of a
        sender, so a segment built here writes without trailing separators.
        """
        elements = [_element(value) for value in values]
        while elements and elements[-1] == (("",),):
            elements.pop()
        return cls(tag, tuple(elements))

    def get(self, position: int, component: int = 1, repeat: int = 1) -> str:
        """The value at ``position`` (``BEG03`` is ``get(3)``), or ``""`` when absent."""
        try:
            return self.elements[position - 1][repeat - 1][component - 1]
        except IndexError:
            return ""

    def composite(self, position: int, repeat: int = 1) -> Components:
        """All components of the element at ``position``; ``()`` when absent."""
        try:
            return self.elements[position - 1][repeat - 1]
        except IndexError:
            return ()

    def values(self) -> list[str]:
        """Each element's first value, for segments without composites (envelopes)."""
        return [element[0][0] if element and element[0] else "" for element in self.elements]


def _element(value: str | Sequence[str]) -> Element:
    if isinstance(value, str):
        return ((value,),)
    components = list(value)
    while len(components) > 1 and components[-1] == "":
        components.pop()
    return (tuple(components) or ("",),)
