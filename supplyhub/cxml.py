"""The cXML sender's wiring: the hub's outbound shared secrets read from the settings (inline
or a file, never logged) and the OrderRequests kept in the store (connectors/cxml/outbound.py)."""

from __future__ import annotations

import json

from connectors.cxml.outbound import CxmlOrders, CxmlOutbound, CxmlSecrets
from storage.database import Database
from supplyhub.edi_transports import payload_store
from supplyhub.settings import Settings


class SecretsFileError(ValueError):
    """SUPPLYHUB_CXML_SECRETS_FILE is not a JSON object of name -> secret."""


def cxml_secrets(settings: Settings) -> CxmlSecrets:
    """``default`` from SUPPLYHUB_CXML_SECRET, and every name in the secrets file."""
    found = {"default": settings.cxml_secret.get_secret_value()}
    if (where := settings.cxml_secrets_file) is not None:
        try:
            named = json.loads(where.read_text())
        except (OSError, ValueError) as error:  # the message never holds the file's content
            raise SecretsFileError(f"{where}: {type(error).__name__}") from None
        if not isinstance(named, dict) or not all(isinstance(v, str) for v in named.values()):
            raise SecretsFileError(f"{where}: not an object of name -> secret")
        found.update({str(name): secret for name, secret in named.items()})
    return CxmlSecrets(found)


def build_cxml_outbound(settings: Settings, database: Database) -> CxmlOutbound:
    """The sender, its tables made now (the caller holds the start-up DDL lock)."""
    orders = CxmlOrders(database)
    orders.create_tables()
    return CxmlOutbound(
        orders, payload_store(settings, database), cxml_secrets(settings),
        timeout_seconds=settings.edi_timeout_seconds,
    )  # fmt: skip


def cxml_orders(settings: Settings) -> CxmlOrders:
    """The OrderRequests sent and what the suppliers answered, in the store (which it opens
    on first use: the API starts with the store away)."""
    from supplyhub.workers import open_database  # the workers' own store (it imports this)

    return CxmlOrders(open_database(settings))
