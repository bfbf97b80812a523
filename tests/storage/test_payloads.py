"""Raw payloads, content-addressed, on both stores: files under the data directory on SQLite,
a table in the database on PostgreSQL (so they are backed up and restored with the log)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.payloads import UnknownPayloadError, payload_ref
from supplyhub.settings import Settings
from supplyhub.workers import payloads


def test_a_payload_is_read_back_byte_for_byte_under_its_sha256(store_settings: Settings) -> None:
    store = payloads(store_settings)
    payload = b"ISA*00*\xe9\x00binary~" + store_settings.database_url.encode()

    ref = store.put(payload)

    assert ref == payload_ref(payload)
    assert store.get(ref) == payload
    assert store.put(payload) == ref  # the same bytes again are kept once


def test_a_file_is_kept_without_being_read_whole_and_under_the_same_reference(
    store_settings: Settings, tmp_path: Path
) -> None:
    store = payloads(store_settings)
    path = tmp_path / "big.edi"
    payload = (b"0123456789" * 300_000) + store_settings.database_url.encode()
    path.write_bytes(payload)

    ref = store.put_file(path)

    assert ref == payload_ref(payload)
    assert store.get(ref) == payload


def test_an_unknown_or_malformed_reference_is_refused_by_name(store_settings: Settings) -> None:
    store = payloads(store_settings)

    for ref in ("sha256:" + "0" * 64, "md5:abc", "sha256:../../etc/passwd"):
        with pytest.raises(UnknownPayloadError, match="no payload is kept under"):
            store.get(ref)


def test_on_postgresql_payloads_live_in_the_database_not_the_data_directory(
    store_settings: Settings,
) -> None:
    store = payloads(store_settings)

    store.put(b"UNA:+.? 'UNB+UNOC:3+X+Y'" + store_settings.database_url.encode())

    files = list((store_settings.data_dir / "payloads").glob("*/*"))
    assert bool(files) is not store_settings.uses_postgres
