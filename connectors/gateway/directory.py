"""The partner directory the gateway reads: every partner's current profile, from the event
store, kept in memory and refreshed when a profile changes, with no restart.

Each lookup first asks the register for its log position (one read of the largest
notification id): unchanged, the profiles in memory answer; moved, only the partners changed
since are read again. The partners folder (``<data dir>/partners``) is an import inbox: a
``*.json`` file new or changed since it was last seen (its times, size and inode) is
imported as the partner's next version, unless its document is the one last imported from
that file (so a restart, or a file left in place after a REST change, writes nothing and
undoes nothing). A file removed changes nothing: profiles are never deleted.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any
from uuid import UUID

from connectors.cxml.secret import secret_matches
from connectors.gateway.partner_book import PartnerBook, read_json
from connectors.gateway.profile import Dialect, PartnerProfile, PartyAddress, profile_from_json
from domain.errors import DomainError, NotFoundError, ValidationError
from domain.trading_partner import TradingPartner

log = logging.getLogger(__name__)


class PartnerDirectory:
    def __init__(self, book: PartnerBook, inbox: Path | None = None) -> None:
        self.book = book
        self.inbox = inbox
        self._lock = threading.Lock()
        self._position = 0
        self._profiles: dict[str, PartnerProfile] = {}
        self._seen: dict[str, tuple[int, ...]] = {}  # inbox file -> its times, size, inode

    # --- the lookups the gateway makes ---------------------------------------------------

    def profile(self, partner: str) -> PartnerProfile:
        """The partner's current profile; a `ValidationError` naming it when it has none."""
        found = self.current().get(partner)
        if found is None:
            raise ValidationError("partner", f"no profile for partner {partner!r}")
        return found

    def profiles(self) -> list[PartnerProfile]:
        """Every partner's profile, in the order of their ids."""
        profiles = self.current()
        return [profiles[name] for name in sorted(profiles)]

    def for_supplier(self, supplier: str) -> PartnerProfile | None:
        """The partner that speaks for ``supplier``; None when it trades without EDI or cXML."""
        return next((each for each in self.profiles() if each.supplier == supplier), None)

    def for_credential(self, sender: PartyAddress) -> PartnerProfile | None:
        """The cXML partner whose From credential (``theirs``) is ``sender``."""
        return next(
            (each for each in self.profiles()
             if each.dialect is Dialect.CXML and each.theirs == sender),
            None,
        )  # fmt: skip

    # --- keeping it current --------------------------------------------------------------

    def current(self) -> dict[str, PartnerProfile]:
        with self._lock:
            self._import_inbox()
            register = self.book.register
            if register.position() != self._position:
                self._position, changed = register.changed_since(self._position)
                for originator_id in changed:
                    self._reload(originator_id)
            return dict(self._profiles)

    def _reload(self, originator_id: UUID) -> None:
        partner: TradingPartner = self.book.register.repository.get(originator_id)
        try:
            self._profiles[partner.partner] = profile_from_json(json.loads(partner.document))
        except ValueError:  # validated before it was stored; a newer reader may disagree
            log.exception("partner %s's stored profile cannot be read", partner.partner)

    def _import_inbox(self) -> None:
        if self.inbox is None or not self.inbox.is_dir():
            return
        for path in sorted(self.inbox.glob("*.json")):
            try:
                stat = path.stat()
            except OSError:  # removed while we looked
                continue
            mark = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)
            if self._seen.get(path.name) == mark:
                continue
            try:
                self._import(path)
            except (DomainError, OSError) as error:  # the file's fault: said once, not retried
                log.warning("partner profile %s not imported: %s", path.name, error)
            self._seen[path.name] = mark  # a store away raised above: tried again next time

    def _import(self, path: Path) -> None:
        actor = f"inbox:{path.name}"
        document = read_json(path)
        partner = str(document.get("partner", "")) if isinstance(document, dict) else ""
        last = self._last_import(partner, actor)
        if isinstance(document, dict) and last:
            document = _same_secret_hash(document, json.loads(last))
        checked, _ = self.book.checked(partner, document)
        if checked == last:
            return
        change = self.book.put(partner, document, actor)
        if change.written:
            log.info("partner %s: version %d imported from %s", partner, change.version, path)

    def _last_import(self, partner: str, actor: str) -> str:
        """The document last imported from this file ("" if none was)."""
        register = self.book.register
        try:
            versions = register.versions(partner)
        except NotFoundError:
            return ""
        mine = [each.version for each in versions if each.actor == actor]
        if not mine:
            return ""
        return register.trading_partner(partner).history[mine[-1] - 1][1]


def _same_secret_hash(document: dict[str, Any], last: dict[str, Any]) -> dict[str, Any]:
    """A file's plain cXML secret as the hash last imported from it, when that hash is of
    the same secret: a salted hash is new each time, and the file has not changed."""
    cxml, imported = document.get("cxml"), last.get("cxml")
    if not isinstance(cxml, dict) or not isinstance(imported, dict):
        return document
    secret, stored = cxml.get("secret"), str(imported.get("secret_hash", ""))
    if not isinstance(secret, str) or not secret_matches(secret, stored):
        return document
    kept = {key: value for key, value in cxml.items() if key != "secret"}
    return {**document, "cxml": {**kept, "secret_hash": stored}}
