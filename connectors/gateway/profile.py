"""A trading partner's profile: who it is, how it writes, and its mapping tables.

A frozen value of primitives and tuples, so it can be the state of an event-sourced profile
aggregate later (each version one value) and is hashable and comparable as it stands. The
translators read it; nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from domain.acknowledgement import AckStatus

Pairs = tuple[tuple[str, str], ...]


class Dialect(StrEnum):
    X12 = "x12"
    EDIFACT = "edifact"
    CXML = "cxml"


class UnknownMappingError(LookupError):
    """A value the partner's mapping table does not hold: named with the table, never guessed."""

    def __init__(self, table: str, value: str) -> None:
        super().__init__(f"{value!r} is not in the partner's {table} table")
        self.table = table
        self.value = value


@dataclass(frozen=True, slots=True)
class PartyAddress:
    """One side's interchange identity: ISA05/06 or 07/08 (qualifier, id), UNB S002/S003."""

    qualifier: str
    id: str


class OrderUpdates(StrEnum):
    """How a cXML supplier wants a revised order: ``orderType="update"`` with ``orderVersion``,
    or the whole order again as a new one."""

    UPDATE = "update"
    NEW = "new"


@dataclass(frozen=True, slots=True)
class CxmlTerms:
    """A cXML partner's facts beyond ``ours`` / ``theirs`` (the To / From credentials, as
    domain and identity): the Sender credential it authenticates with, its shared secret as a
    salted hash only (connectors/cxml/secret.py; never the secret, never in a repr), where its
    OrderRequests go, and which requests it may send."""

    sender: PartyAddress
    secret_hash: str = field(repr=False)
    endpoint: str = ""
    order_updates: OrderUpdates = OrderUpdates.UPDATE
    requests: tuple[str, ...] = ("ConfirmationRequest", "ShipNoticeRequest", "InvoiceDetailRequest")


class MdnMode(StrEnum):
    """How the receiver of an AS2 message returns its receipt (RFC 4130 7.1)."""

    SYNC = "sync"  # on the HTTP response
    ASYNC = "async"  # POSTed later to the sender's Receipt-Delivery-Option URL
    NONE = "none"  # no receipt asked for


@dataclass(frozen=True, slots=True)
class As2Terms:
    """An AS2 partner's transport (docs/edi.md, "Connecting an AS2 partner"): where our
    documents go, both sides' AS2 identifiers, the receipt we ask for, whether messages are
    signed and encrypted (both ways: theirs to us must be too), and the path of their
    certificate PEM, which verifies their signatures and encrypts to them."""

    url: str
    their_id: str  # AS2-From on their messages, AS2-To on ours
    our_id: str = ""  # AS2-To on their messages; "" is the hub's SUPPLYHUB_AS2_ID
    mdn: MdnMode = MdnMode.SYNC
    sign: bool = False
    encrypt: bool = False
    certificate: str = ""  # a file path; the certificate itself is not part of the profile


@dataclass(frozen=True, slots=True)
class CodeOverride:
    """The partner's own meaning for a code of a standard's table (e.g. 668 ``AA``)."""

    table: str  # the table's name as the translators name it: "X12 668", "EDIFACT 1229"
    code: str
    status: AckStatus


@dataclass(frozen=True, slots=True)
class PartnerProfile:
    partner: str
    supplier: str  # the hub's supplier key the partner speaks for
    dialect: Dialect
    version: str  # 004010 / 005010, D96A / D01B
    ours: PartyAddress  # the hub's interchange id at this partner
    theirs: PartyAddress
    # buyer item <-> supplier part, as (supplier part, buyer item) pairs
    items: Pairs = ()
    # the partner's unit code -> the hub's unit code
    units: Pairs = ()
    code_overrides: tuple[CodeOverride, ...] = ()
    # What the partner leaves implicit, said once here rather than guessed per document:
    currency: str = ""  # an invoice without CUR / CUX is in this currency ("" refuses it)
    transit_days: int = 0  # a ship notice without an estimated delivery arrives this late
    # Transport, plain HTTP: where our 850 / ORDERS are POSTed ("" sends nothing), and a
    # mailbox (a VAN's, the mock's) the worker collects the partner's answers from.
    url: str = ""
    pickup_url: str = ""
    cxml: CxmlTerms | None = None  # a cXML partner's credentials and endpoint (docs/cxml.md)
    as2: As2Terms | None = None  # AS2 instead of plain HTTP (docs/edi.md)

    def status(self, table: str, code: str, standard: Mapping[str, AckStatus]) -> AckStatus:
        """The canonical status of ``code``: the partner's override, else the standard's."""
        for override in self.code_overrides:
            if override.table == table and override.code == code:
                return override.status
        try:
            return standard[code]
        except KeyError:
            raise UnknownMappingError(table, code) from None

    def buyer_item(self, supplier_part: str) -> str:
        return _look_up(self.items, "items", supplier_part)

    def unit(self, partner_unit: str) -> str:
        """The hub's unit for the partner's; a partner with no units table speaks ours."""
        if not self.units:
            return partner_unit
        return _look_up(self.units, "units", partner_unit)

    @classmethod
    def from_document(
        cls, dialect: Dialect, version: str, sender: PartyAddress, receiver: PartyAddress
    ) -> PartnerProfile:
        """The profile a document implies by itself: its sender is the partner and the
        supplier, no mapping tables, nothing implicit. For inspecting any well-formed file."""
        return cls(sender.id, sender.id, dialect, version, receiver, sender)


def _look_up(pairs: Pairs, table: str, value: str) -> str:
    for key, mapped in pairs:
        if key == value:
            return mapped
    raise UnknownMappingError(table, value)


class ProfileFormatError(ValueError):
    """A profile document that does not say a profile: the field and what is wrong."""


def profile_from_json(data: Mapping[str, object]) -> PartnerProfile:
    """A profile from its JSON shape (docs/edi.md), as ``partners import`` will take it."""
    try:
        dialect = Dialect(str(data["dialect"]))
        ours, theirs = data["ours"], data["theirs"]
        if not isinstance(ours, Mapping) or not isinstance(theirs, Mapping):
            raise ProfileFormatError("ours and theirs are objects: {qualifier, id}")
        return PartnerProfile(
            partner=str(data["partner"]),
            supplier=str(data["supplier"]),
            dialect=dialect,
            version=str(data["version"]),
            ours=PartyAddress(str(ours["qualifier"]), str(ours["id"])),
            theirs=PartyAddress(str(theirs["qualifier"]), str(theirs["id"])),
            items=_pairs(data.get("items", {}), "items"),
            units=_pairs(data.get("units", {}), "units"),
            code_overrides=tuple(
                CodeOverride(table, code, AckStatus(str(status)))
                for table, codes in _mapping(data.get("code_overrides", {}), "code_overrides")
                for code, status in _mapping(codes, f"code_overrides.{table}")
            ),
            currency=str(data.get("currency", "")),
            transit_days=int(str(data.get("transit_days", 0))),
            url=str(data.get("url", "")),
            pickup_url=str(data.get("pickup_url", "")),
            cxml=_cxml_terms(data["cxml"]) if "cxml" in data else None,
            as2=_as2_terms(data["as2"]) if "as2" in data else None,
        )
    except KeyError as missing:
        raise ProfileFormatError(f"the profile has no {missing.args[0]!r}") from None
    except ValueError as wrong:
        raise ProfileFormatError(str(wrong)) from None


_CXML_REQUESTS = ("ConfirmationRequest", "ShipNoticeRequest", "InvoiceDetailRequest")


def _cxml_terms(value: object) -> CxmlTerms:
    if not isinstance(value, Mapping) or not isinstance(sender := value["sender"], Mapping):
        raise ProfileFormatError("cxml is an object with sender: {domain, identity}")
    return CxmlTerms(
        sender=PartyAddress(str(sender["domain"]), str(sender["identity"])),
        secret_hash=str(value["secret_hash"]),
        endpoint=str(value.get("endpoint", "")),
        order_updates=OrderUpdates(str(value.get("order_updates", "update"))),
        requests=tuple(str(each) for each in value.get("requests", _CXML_REQUESTS)),
    )


def _as2_terms(value: object) -> As2Terms:
    if not isinstance(value, Mapping):
        raise ProfileFormatError("as2 is an object: {url, their_id, our_id, mdn, sign, ...}")
    flags = {name: value.get(name, False) for name in ("sign", "encrypt")}
    for name, flag in flags.items():
        if not isinstance(flag, bool):
            raise ProfileFormatError(f"as2.{name} is true or false, not {flag!r}")
    terms = As2Terms(
        url=str(value["url"]),
        their_id=str(value["their_id"]),
        our_id=str(value.get("our_id", "")),
        mdn=MdnMode(str(value.get("mdn", "sync"))),
        sign=flags["sign"],
        encrypt=flags["encrypt"],
        certificate=str(value.get("certificate", "")),
    )
    if (terms.sign or terms.encrypt) and not terms.certificate:
        raise ProfileFormatError("as2.certificate is needed to sign or encrypt with a partner")
    return terms


def _mapping(value: object, name: str) -> list[tuple[str, object]]:
    if not isinstance(value, Mapping):
        raise ProfileFormatError(f"{name} is an object of code -> value")
    return [(str(key), each) for key, each in value.items()]


def _pairs(value: object, name: str) -> Pairs:
    return tuple((key, str(each)) for key, each in _mapping(value, name))
