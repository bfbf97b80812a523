"""docs/events.md lists every event the domain can record, with its topic and version."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
from given import AGGREGATES, EVENTS

CATALOGUE = (Path(__file__).resolve().parents[1] / "docs" / "events.md").read_text()


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.TOPIC)
def test_every_event_is_in_the_catalogue_with_its_topic_and_version(event: type) -> None:
    version = getattr(event, "class_version", 1)

    assert f"| {event.__name__} | `{event.TOPIC}` | {version} |" in CATALOGUE


def test_every_event_carries_its_provenance() -> None:
    missing = [e.TOPIC for e in EVENTS if "provenance" not in typing.get_type_hints(e)]

    assert not missing


def test_stored_topics_do_not_depend_on_module_paths() -> None:
    topics = [e.TOPIC for e in EVENTS] + [a.TOPIC for a in AGGREGATES]

    assert all(t.startswith("supplyhub:") and "domain" not in t for t in topics)
