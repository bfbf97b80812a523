"""Values EDIFACT messages share: dates (DTM C507) and references (RFF C506)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from connectors.edi.errors import Fault
from connectors.edi.translation import Place

EDIFACT = "EDIFACT"
# 2379 date/time format codes we read, and how many leading digits are the date.
_FORMATS = {"102": ("CCYYMMDD", 8), "203": ("CCYYMMDDHHMM", 8), "204": ("CCYYMMDDHHMMSS", 8)}


def day(row: Place) -> date:
    """DTM C507: 2380 in the format 2379 names (102, 203, 204)."""
    value, layout = row.segment.get(1, 2), row.segment.get(1, 3) or "102"
    if layout not in _FORMATS:
        known = ", ".join(_FORMATS)
        rule = f"{layout!r} is a date format the hub does not read ({known})"
        raise row.fail("DTM 2379", rule, Fault.UNSUPPORTED, (1, 3), layout)
    name, digits = _FORMATS[layout]
    width = len(name) if layout != "102" else 8
    if len(value) != width:
        rule = f"{value!r} is not a date {name} (2379 {layout})"
        raise row.fail("DTM 2380", rule, Fault.INVALID_DATE, (1, 2), value)
    return row.day("DTM 2380", value[:digits])


def dated(rows: Iterable[Place], *qualifiers: str) -> date | None:
    """The first DTM with one of ``qualifiers`` (2005), in their order of preference."""
    found = {row.segment.get(1, 1): row for row in rows if row.segment.tag == "DTM"}
    for qualifier in qualifiers:
        if qualifier in found:
            return day(found[qualifier])
    return None


def reference(rows: Sequence[Place], qualifier: str) -> Place | None:
    """The first RFF whose 1153 is ``qualifier``."""
    for row in rows:
        if row.segment.tag == "RFF" and row.segment.get(1, 1) == qualifier:
            return row
    return None


def split(rows: Sequence[Place], tag: str) -> tuple[list[Place], list[list[Place]]]:
    """The rows before the first ``tag``, and each ``tag`` with the rows up to the next one
    (or the summary section: UNS, UNT)."""
    head: list[Place] = []
    groups: list[list[Place]] = []
    for row in rows:
        if row.segment.tag in ("UNS", "UNT"):
            break
        if row.segment.tag == tag:
            groups.append([row])
        elif groups:
            groups[-1].append(row)
        else:
            head.append(row)
    return head, groups
