"""The drop directory: a partner's (or its VAN's, or an SFTP server's) files, watched by
`supplyhub worker edi`. Under one root: ``inbound/`` where files arrive, ``processed/`` where
each goes once its commands are durably applied, ``failed/`` where a file that cannot be
read (or whose partner is unknown) goes with a ``.reason`` beside it.

A file still being written is left alone until it has been untouched for the settle time.
Moving comes after applying: a crash between the two leaves the file in ``inbound/``, and the
next scan applies it again, which the hub answers as a replay (the same message ids), so
nothing is applied twice.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from connectors.gateway.files import FileGateway
from domain.errors import DomainError

log = logging.getLogger(__name__)


class DropDirectory:
    def __init__(
        self,
        root: Path,
        gateway: FileGateway,
        *,
        settle_seconds: float = 2.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.inbound, self.processed, self.failed = (
            root / n for n in ("inbound", "processed", "failed")
        )
        for folder in (self.inbound, self.processed, self.failed):
            folder.mkdir(parents=True, exist_ok=True)
        self.gateway = gateway
        self.settle = settle_seconds
        self.clock = clock

    def scan(self) -> int:
        """Receive each settled file of ``inbound/``, oldest first; returns how many."""
        now = self.clock()
        waiting = [p for p in self.inbound.iterdir() if p.is_file() and not p.name.startswith(".")]
        handled = 0
        for path in sorted(waiting, key=lambda p: (p.stat().st_mtime, p.name)):
            if now - path.stat().st_mtime < self.settle:
                continue  # perhaps still being written
            self._receive(path)
            handled += 1
        return handled

    def _receive(self, path: Path) -> None:
        try:
            receipt = self.gateway.receive(path)
        except DomainError as error:  # no profile has the file's sender
            self._fail(path, str(error))
            return
        if receipt.refused:
            self._fail(path, f"{receipt.ref}: {receipt.refused}")
            return
        log.info("edi drop: %s from %s: %d applied, %d replayed, %d refused", path.name,
                 receipt.partner, receipt.applied, receipt.replayed, receipt.problems)  # fmt: skip
        os.replace(path, _free(self.processed / path.name))

    def _fail(self, path: Path, reason: str) -> None:
        log.error("edi drop: %s failed: %s", path.name, reason)
        target = _free(self.failed / path.name)
        target.with_name(target.name + ".reason").write_text(reason + "\n")
        os.replace(path, target)


def _free(path: Path) -> Path:
    """``path``, or ``path.1``, ``path.2``... when a file of that name was moved there before."""
    candidate, n = path, 0
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.{n}")
    return candidate
