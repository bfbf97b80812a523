"""Small EDIFACT interchanges written for the tests (never copied from the corpus)."""

from __future__ import annotations


def orders_message(reference: str = "1", number: str = "PO-77") -> list[str]:
    body = [
        f"BGM+220+{number}+9",
        "DTM+137:20261204:102",
        "NAD+BY+BUYER?+CO::92",
        "LIN+1++ITEM-1:IN",
        "QTY+21:10,5:PCE",
        "UNS+S",
    ]
    return [f"UNH+{reference}+ORDERS:D:96A:UN", *body, f"UNT+{len(body) + 2}+{reference}"]


def interchange(
    *messages: list[str],
    reference: str = "IC1",
    una: str = "UNA:+,? '",
    charset: str = "UNOC",
    line_break: str = "\n",
) -> str:
    segments = [f"UNB+{charset}:3+BUYERHUB:ZZ+SUPPLIER:ZZ+261204:1030+{reference}"]
    for each in messages or (orders_message(),):
        segments += each
    segments.append(f"UNZ+{len(messages) or 1}+{reference}")
    end = "'" + line_break
    return una + line_break + end.join(segments) + end
