"""A trading partner's profile: who it is, how it writes, and its mapping tables.

A frozen value of primitives and tuples, so it can be the state of an event-sourced profile
aggregate later (each version one value) and is hashable and comparable as it stands. The
translators read it; nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from connectors.edi.edifact.syntax import CHARSETS, Syntax
from connectors.edi.errors import EdiSyntaxError
from connectors.edi.x12.delimiters import Delimiters
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
    OrderRequests go, and which requests it may send. Outbound, the hub authenticates with its
    own secret, which the profile only names (``outbound_secret``: a name in the hub's secret
    store, connectors/cxml/outbound.py), and the Sender credential it sends (``ours`` unless
    ``our_sender`` says another, e.g. the hub's network id)."""

    sender: PartyAddress
    secret_hash: str = field(repr=False)
    endpoint: str = ""
    order_updates: OrderUpdates = OrderUpdates.UPDATE
    requests: tuple[str, ...] = (
        "ConfirmationRequest", "ShipNoticeRequest", "InvoiceDetailRequest", "StatusUpdateRequest",
    )  # fmt: skip
    outbound_secret: str = "default"
    our_sender: PartyAddress | None = None


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


# EDIFACT syntax identifiers (0001) the writers can encode, UNOA (level A) to UNOY (UTF-8).
CHARACTER_SETS = tuple(CHARSETS)
DEFAULT_ACK_WITHIN_MINUTES = 60


class Revisions(StrEnum):
    """How an EDI partner wants a revised or cancelled order: the whole order again (a
    replacement 850 / ORDERS) or only what changed (860 / ORDCHG)."""

    REPLACE = "replace"
    CHANGE = "change"


@dataclass(frozen=True, slots=True)
class EdiTerms:
    """How we write to an EDI partner and what we expect back: the test indicator (ISA15
    ``T`` / UNB 0035 ``1``), the delimiters ("" is the standard's default: X12 ``* > ~ ^``,
    EDIFACT ``+ : '``) and EDIFACT character set ("" is UNOC), the ship-to location codes
    (partner code -> hub location), how soon its 997 / CONTRL is due, and whether a revised
    order goes as a replacement 850 / ORDERS or as an 860 / ORDCHG of what changed."""

    test: bool = False
    element_separator: str = ""
    component_separator: str = ""
    segment_terminator: str = ""
    repetition_separator: str = ""
    character_set: str = ""
    ship_to: Pairs = ()
    ack_within_minutes: int = DEFAULT_ACK_WITHIN_MINUTES
    revisions: Revisions = Revisions.REPLACE

    def x12_delimiters(self) -> Delimiters:
        """The delimiters our X12 interchanges to this partner are written with."""
        default = Delimiters()
        return Delimiters(
            self.element_separator or default.element,
            self.component_separator or default.component,
            self.segment_terminator or default.segment,
            self.repetition_separator or default.repetition,
        )

    def edifact_syntax(self) -> Syntax:
        """The service characters and character set of our EDIFACT interchanges to it."""
        default = Syntax()
        return Syntax(
            component=self.component_separator or default.component,
            element=self.element_separator or default.element,
            segment=self.segment_terminator or default.segment,
            repetition=self.repetition_separator or default.repetition,
            charset=self.character_set or default.charset,
            version="4" if self.repetition_separator else default.version,
        )


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
    edi: EdiTerms | None = None  # writing, ship-to codes, ack expectation (docs/edi.md)
    as2: As2Terms | None = None  # AS2 instead of plain HTTP (docs/edi.md)

    @property
    def ack_within_minutes(self) -> int:
        """How soon the partner's 997 / CONTRL is due after we send."""
        return self.edi.ack_within_minutes if self.edi else DEFAULT_ACK_WITHIN_MINUTES

    def location(self, partner_code: str) -> str:
        """The hub's location for the partner's ship-to code; unknown: named, never guessed."""
        return _look_up(self.edi.ship_to if self.edi else (), "ship_to", partner_code)

    def ship_to_code(self, location: str) -> str:
        """The partner's ship-to code for the hub's location (the table read backwards)."""
        for code, ours in self.edi.ship_to if self.edi else ():
            if ours == location:
                return code
        raise UnknownMappingError("ship_to", location)

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
            edi=_edi_terms(data["edi"]) if "edi" in data else None,
            as2=_as2_terms(data["as2"]) if "as2" in data else None,
        )
    except KeyError as missing:
        raise ProfileFormatError(f"the profile has no {missing.args[0]!r}") from None
    except ValueError as wrong:
        raise ProfileFormatError(str(wrong)) from None


_CXML_REQUESTS = (
    "ConfirmationRequest", "ShipNoticeRequest", "InvoiceDetailRequest", "StatusUpdateRequest",
)  # fmt: skip


def _cxml_terms(value: object) -> CxmlTerms:
    if not isinstance(value, Mapping) or not isinstance(sender := value["sender"], Mapping):
        raise ProfileFormatError("cxml is an object with sender: {domain, identity}")
    return CxmlTerms(
        sender=PartyAddress(str(sender["domain"]), str(sender["identity"])),
        secret_hash=str(value["secret_hash"]),
        endpoint=str(value.get("endpoint", "")),
        order_updates=OrderUpdates(str(value.get("order_updates", "update"))),
        requests=tuple(str(each) for each in value.get("requests", _CXML_REQUESTS)),
        outbound_secret=str(value.get("outbound_secret", "default")),
        our_sender=_address(value["our_sender"]) if "our_sender" in value else None,
    )


def _revisions(value: object) -> Revisions:
    try:
        return Revisions(str(value))
    except ValueError:
        raise ProfileFormatError(
            f"edi.revisions: {value!r} is not one of {', '.join(Revisions)}"
        ) from None


def _address(value: object) -> PartyAddress:
    if not isinstance(value, Mapping):
        raise ProfileFormatError("cxml.our_sender is an object: {domain, identity}")
    return PartyAddress(str(value["domain"]), str(value["identity"]))


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


_SEPARATORS = ("element", "component", "segment", "repetition")


def _edi_terms(value: object) -> EdiTerms:
    """The ``edi`` object: each rule broken is named with its field."""
    terms = dict(_mapping(value, "edi"))
    unknown = sorted(set(terms) - {"test", "delimiters", "character_set", "ship_to",
                                   "ack_within_minutes", "revisions"})  # fmt: skip
    if unknown:
        raise ProfileFormatError(f"edi.{unknown[0]}: not a field of edi")
    test = terms.get("test", False)
    if not isinstance(test, bool):
        raise ProfileFormatError("edi.test: true (test) or false (production)")
    delimiters = {key: str(each) for key, each in _mapping(terms.get("delimiters", {}),
                                                          "edi.delimiters")}  # fmt: skip
    for key, each in delimiters.items():
        if key not in _SEPARATORS:
            raise ProfileFormatError(f"edi.delimiters.{key}: not one of {', '.join(_SEPARATORS)}")
        if len(each) != 1 or each.isalnum() or each == " ":
            raise ProfileFormatError(f"edi.delimiters.{key}: one character, not a letter, "
                                     "digit or space")  # fmt: skip
    if len(set(delimiters.values())) != len(delimiters):
        raise ProfileFormatError("edi.delimiters: each delimiter must differ from the others")
    charset = str(terms.get("character_set", ""))
    if charset and charset not in CHARACTER_SETS:
        raise ProfileFormatError(f"edi.character_set: {charset!r} is not one of "
                                 f"{', '.join(CHARACTER_SETS)}")  # fmt: skip
    minutes = terms.get("ack_within_minutes", DEFAULT_ACK_WITHIN_MINUTES)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 1:
        raise ProfileFormatError("edi.ack_within_minutes: a whole number of minutes, at least 1")
    found = EdiTerms(
        test=test,
        element_separator=delimiters.get("element", ""),
        component_separator=delimiters.get("component", ""),
        segment_terminator=delimiters.get("segment", ""),
        repetition_separator=delimiters.get("repetition", ""),
        character_set=charset,
        ship_to=_pairs(terms.get("ship_to", {}), "edi.ship_to"),
        ack_within_minutes=minutes,
        revisions=_revisions(terms.get("revisions", "replace")),
    )
    try:  # the delimiters each standard would write with: the writers' own checks
        found.x12_delimiters(), found.edifact_syntax()
    except EdiSyntaxError as wrong:
        raise ProfileFormatError(f"edi.delimiters: {wrong}") from None
    return found
