"""Small X12 interchanges written for the tests (never copied from the corpus)."""

from __future__ import annotations


def isa(
    control: str = "000000101",
    *,
    version: str = "00401",
    repetition: str = "U",
    element: str = "*",
    component: str = ">",
    terminator: str = "~",
) -> str:
    fields = [
        "00", " " * 10, "00", " " * 10, "ZZ", "BUYERHUB".ljust(15), "ZZ", "SUPPLIER".ljust(15),
        "261204", "1030", repetition, version, control, "0", "T", component,
    ]  # fmt: skip
    return "ISA" + element + element.join(fields) + terminator


def purchase_order_set(control: str = "0001", lines: int = 2) -> list[str]:
    body = ["BEG*00*SA*PO-77**20261204"]
    for number in range(1, lines + 1):
        body += [f"PO1*{number}*10*EA*2.5**BP*ITEM-{number}", "DTM*002*20261220"]
    body.append(f"CTT*{lines}")
    return [f"ST*850*{control}", *body, f"SE*{len(body) + 2}*{control}"]


def interchange(
    *sets: list[str],
    control: str = "000000101",
    group: str = "7",
    terminator: str = "~",
    line_break: str = "\n",
) -> str:
    segments = [f"GS*PO*BUYERHUB*SUPPLIER*20261204*1030*{group}*X*004010"]
    for each in sets or (purchase_order_set(),):
        segments += each
    segments += [f"GE*{len(sets) or 1}*{group}", f"IEA*1*{control}"]
    end = terminator + line_break
    return isa(control, terminator=terminator) + line_break + end.join(segments) + end
