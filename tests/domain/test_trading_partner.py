"""A trading partner's profile as an event-sourced document: every change a version, the same
document again nothing, a rollback a new version equal to the one it goes back to."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import NotFoundError, ValidationError
from domain.partner_register import PartnerRegister
from domain.provenance import Channel, Provenance
from domain.trading_partner import TradingPartner, changed_fields
from storage.database import IN_MEMORY

WHEN = datetime(2026, 12, 4, 10, 30, tzinfo=UTC)


def said_by(actor: str) -> Provenance:
    return Provenance(f"m-{actor}", "c", "c", actor, Channel.SYSTEM, WHEN)


@pytest.fixture
def register() -> PartnerRegister:
    return PartnerRegister(env=dict(IN_MEMORY))


def test_each_changed_document_is_the_next_version_and_the_same_one_writes_nothing(
    register: PartnerRegister,
) -> None:
    first = register.put("acme", "SUP-1", '{"a":1}', said_by("ada"))
    same = register.put("acme", "SUP-1", '{"a":1}', said_by("bob"))
    second = register.put("acme", "SUP-1", '{"a":2}', said_by("bob"))

    assert (first.version, first.written) == (1, True)
    assert (same.version, same.written) == (1, False)
    assert (second.version, second.written) == (2, True)
    assert [v.actor for v in register.versions("acme")] == ["ada", "bob"]


def test_a_rollback_is_a_new_version_whose_document_is_the_earlier_ones(
    register: PartnerRegister,
) -> None:
    for n in (1, 2, 3, 4):
        register.put("acme", "SUP-1", f'{{"a":{n}}}', said_by("ada"))

    back = register.roll_back("acme", 3, said_by("ops"))
    again = register.roll_back("acme", 3, said_by("ops"))

    partner = register.trading_partner("acme")
    assert (back.version, back.written, again.written) == (5, True, False)
    assert partner.document == '{"a":3}'
    assert [(v.kind, v.to_version) for v in register.versions("acme")][-1] == ("rolled back", 3)
    assert [doc for _, doc in partner.history] == ['{"a":1}', '{"a":2}', '{"a":3}', '{"a":4}',
                                                   '{"a":3}']  # fmt: skip


def test_a_rollback_to_a_version_the_partner_never_had_is_refused_naming_the_version(
    register: PartnerRegister,
) -> None:
    register.put("acme", "SUP-1", '{"a":1}', said_by("ada"))

    with pytest.raises(ValidationError) as refused:
        register.roll_back("acme", 2, said_by("ada"))

    assert refused.value.field == "version"
    assert register.trading_partner("acme").version == 1


def test_a_partner_never_registered_is_not_found(register: PartnerRegister) -> None:
    with pytest.raises(NotFoundError):
        register.versions("nobody")


def test_the_changed_fields_are_named_one_level_down_without_their_values() -> None:
    before = '{"currency":"EUR","items":{"A":"1","B":"2"},"url":""}'
    after = '{"currency":"PLN","items":{"A":"1","C":"3"},"transit_days":2,"url":""}'

    assert changed_fields(before, after) == ("currency", "items.B", "items.C", "transit_days")


def test_the_register_tells_which_partners_changed_since_a_position(
    register: PartnerRegister,
) -> None:
    register.put("acme", "SUP-1", '{"a":1}', said_by("ada"))
    seen = register.position()
    register.put("boreal", "SUP-2", '{"b":1}', said_by("ada"))

    position, changed = register.changed_since(seen)

    assert position == register.position() == seen + 1
    assert changed == {TradingPartner.create_id("boreal")}
    assert [each.partner for each in register.all()] == ["acme", "boreal"]
