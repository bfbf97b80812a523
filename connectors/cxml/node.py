"""Reading a parsed cXML element where it stands: each value through its path, so a value the
hub cannot take is refused naming the element or attribute and the rule
(``/cXML/Request/ConfirmationRequest/ConfirmationItem[2]/@lineNumber: must be ...``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, get_args
from xml.etree.ElementTree import Element

from connectors.cxml.errors import CxmlError
from domain.limits import Day, DocumentNumber, LineNumber, Price, Quantity, Reference

_V = TypeVar("_V")


@dataclass(frozen=True, slots=True)
class Node:
    element: Element
    path: str

    @classmethod
    def root(cls, element: Element) -> Node:
        return cls(element, f"/{element.tag}")

    @property
    def tag(self) -> str:
        return str(self.element.tag)

    def fail(self, rule: str, attribute: str = "") -> CxmlError:
        return CxmlError(f"{self.path}/@{attribute}" if attribute else self.path, rule)

    def children(self, tag: str) -> Iterator[Node]:
        found = self.element.findall(tag)
        for index, child in enumerate(found, 1):
            suffix = f"[{index}]" if len(found) > 1 else ""
            yield Node(child, f"{self.path}/{tag}{suffix}")

    def optional(self, tag: str) -> Node | None:
        return next(self.children(tag), None)

    def child(self, tag: str) -> Node:
        found = self.optional(tag)
        if found is None:
            raise CxmlError(f"{self.path}/{tag}", "is required here and missing")
        return found

    def text(self) -> str:
        return "".join(self.element.itertext()).strip()

    def attr(self, name: str) -> str:
        return (self.element.get(name) or "").strip()

    def required(self, name: str) -> str:
        value = self.attr(name)
        if not value:
            raise self.fail("is required here and empty", name)
        return value

    def document_number(self, name: str) -> str:
        return self.within(self.required(name), DocumentNumber, name)

    def reference(self, value: str, attribute: str = "") -> str:
        return self.within(value, Reference, attribute)

    def line_number(self, name: str) -> int:
        text = self.required(name)
        if not (text.isascii() and text.isdigit()):
            raise self.fail(f"{text!r} is not a line number", name)
        return self.within(int(text), LineNumber, name)

    def decimal(self, text: str, attribute: str = "") -> Decimal:
        if not text:
            raise self.fail("is required here and empty", attribute)
        if not text.isascii() or not all(c.isdigit() or c in ".-" for c in text):
            raise self.fail(f"{text!r} is not a number", attribute)
        try:
            return Decimal(text)
        except InvalidOperation:
            raise self.fail(f"{text!r} is not a number", attribute) from None

    def quantity(self, name: str) -> Decimal:
        return self.within(self.decimal(self.attr(name), name), Quantity, name)

    def money(self) -> tuple[Decimal, str]:
        """A ``Money`` element's amount (held to the domain's price limits) and currency."""
        money = self.child("Money") if self.tag != "Money" else self
        amount = money.within(money.decimal(money.text()), Price)
        return amount, money.required("currency")

    def day(self, name: str) -> date:
        """A cXML date (ISO 8601: ``2020-02-28`` or ``2020-02-28T00:00:00+00:00``): its day
        as the sender wrote it, not moved to another zone."""
        text = self.required(name)
        try:
            if len(text) == 10:
                value = date.fromisoformat(text)
            else:
                value = datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            raise self.fail(f"{text!r} is not an ISO 8601 date", name) from None
        return self.within(value, Day, name)

    def within(self, value: _V, limited: Any, attribute: str = "") -> _V:
        broken = get_args(limited)[1].broken(value)
        if broken is not None:
            raise self.fail(broken, attribute)
        return value
