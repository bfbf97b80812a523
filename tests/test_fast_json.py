"""The orjson encoder writes byte for byte what the library's json encoder writes."""

from __future__ import annotations

from eventsourcing.persistence import JSONTranscoder

from domain.application import SupplyHub
from supplyhub.demo import Scenario
from supplyhub.fast_json import OrjsonTranscoder


def test_every_demo_event_encodes_to_the_same_bytes_with_both_encoders() -> None:
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"}
    fast = SupplyHub(env=env, transcoder=OrjsonTranscoder)
    for step in Scenario(seed=3).steps(24):
        fast.handle(step.command, step.provenance)
    reference = SupplyHub(env=env, transcoder=JSONTranscoder).mapper
    compared = 0

    for notification in fast.recorder.select_notifications(start=1, limit=10_000):
        event = fast.mapper.to_domain_event(notification)
        assert reference.to_stored_event(event).state == notification.state
        assert reference.to_domain_event(notification).__dict__ == event.__dict__
        compared += 1

    assert compared > 100
    fast.close()
