"""Document ids are RFC 4122 version-5 UUIDs of their natural keys: stable forever."""

from __future__ import annotations

from uuid import UUID, uuid5

from hypothesis import given
from hypothesis import strategies as st

from domain.identity import _NAMESPACE, document_id


@given(kind=st.sampled_from(["po", "message", "asn", "supplier"]), key=st.text(max_size=40))
def test_a_document_id_is_the_uuid5_of_its_kind_and_key(kind: str, key: str) -> None:
    assert document_id(kind, key) == uuid5(_NAMESPACE, f"{kind}:{key}")


def test_known_ids_never_change() -> None:
    # stored events are keyed by these: a change would orphan every document
    assert document_id("po", "4500000001") == UUID("f906aba6-1b76-5f8d-8e76-ee76460d2fcd")
    assert document_id("po", "4500000001").version == 5
