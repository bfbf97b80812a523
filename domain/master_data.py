"""Explicit mapping tables for codes that arrive from many channels: an unknown code is an
error with a reason, never a guess."""

from __future__ import annotations

from domain.errors import ValidationError

# Canonical unit of measure <- the codes channels use for it (X12 355, UN/ECE rec 20, cXML).
_UNIT_ALIASES: dict[str, tuple[str, ...]] = {
    "EA": ("EA", "PCE", "C62", "PC", "EACH", "H87"),
    "BOX": ("BOX", "BX"),
    "CASE": ("CASE", "CA", "CS", "CT", "CTN"),
    "PALLET": ("PALLET", "PL", "PX", "PF"),
    "KG": ("KG", "KGM"),
    "G": ("G", "GRM", "GR"),
    "LB": ("LB", "LBR"),
    "M": ("M", "MTR"),
    "L": ("L", "LTR", "LT"),
    "SET": ("SET", "ST"),
    "PAIR": ("PAIR", "PR"),
    "ROLL": ("ROLL", "RL", "RO"),
    "HR": ("HR", "HUR"),
}
_UNITS = {alias: unit for unit, aliases in _UNIT_ALIASES.items() for alias in aliases}
CANONICAL_UNITS = frozenset(_UNIT_ALIASES)

CURRENCIES = frozenset(
    [
        "EUR",
        "USD",
        "GBP",
        "CHF",
        "JPY",
        "CNY",
        "CAD",
        "AUD",
        "SEK",
        "NOK",
        "DKK",
        "PLN",
        "CZK",
        "HUF",
        "MXN",
        "BRL",
        "INR",
        "KRW",
        "SGD",
        "ZAR",
        "TRY",
    ]
)


def canonical_unit(code: str, field: str = "uom") -> str:
    try:
        return _UNITS[code.strip().upper()]
    except KeyError:
        raise ValidationError(field, f"unknown unit of measure {code!r}") from None


def canonical_currency(code: str, field: str = "currency") -> str:
    upper = code.strip().upper()
    if upper not in CURRENCIES:
        raise ValidationError(field, f"unknown currency {code!r} (ISO 4217 code expected)")
    return upper
