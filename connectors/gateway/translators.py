"""Choosing the translator of a document's kind, for every channel: an X12 set (ST01), an
EDIFACT message (UNH S009) or a cXML request (its element); an unknown kind is refused, naming
the kinds the hub reads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

_T = TypeVar("_T")


def translator_for(
    translators: Mapping[str, _T], kind: str, refusal: Callable[[str], Exception]
) -> _T:
    """The translator of ``kind``; else ``refusal(known)`` is raised, ``known`` being the kinds
    read, comma-separated."""
    translator = translators.get(kind)
    if translator is None:
        raise refusal(", ".join(translators))
    return translator
