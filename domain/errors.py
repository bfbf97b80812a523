"""The domain's named errors: the only exceptions the API and connectors map to responses."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """A command was refused; nothing was written."""

    code = "domain_error"


class ValidationError(DomainError):
    """Input breaks a rule; names the field and the rule (`errors`: every one it breaks,
    the first being `field` and `rule`)."""

    code = "validation"

    def __init__(self, field: str, rule: str, also: Sequence[tuple[str, str]] = ()) -> None:
        self.errors: tuple[tuple[str, str], ...] = ((field, rule), *also)
        super().__init__("; ".join(f"{name}: {broken}" for name, broken in self.errors))
        self.field = field
        self.rule = rule

    @classmethod
    def of(cls, errors: Sequence[tuple[str, str]]) -> ValidationError:
        """One error naming them all (at least one)."""
        (field, rule), *also = errors
        return cls(field, rule, also)


class NotFoundError(DomainError):
    code = "not_found"

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class ConflictError(DomainError):
    """The document changed concurrently, or the command contradicts its current state."""

    code = "conflict"


class IdempotencyKeyReusedError(ConflictError):
    """A message id that was already used for a different command."""

    code = "idempotency_key_reused"


class ForbiddenError(DomainError):
    """The actor may not act on this document (e.g. another supplier's PO)."""

    code = "forbidden"


class StoredHistoryError(Exception):
    """A document's stored events do not replay: one does not follow from those before it
    (an event forged or edited in the store). Not a refusal of the caller's command: a fault
    of the store, for an operator to repair."""

    def __init__(self, originator_id: object, version: int) -> None:
        super().__init__(
            f"the stored events of document {originator_id} do not replay at version {version}"
        )
        self.originator_id = str(originator_id)
        self.version = version


def require(condition: bool, field: str, rule: str) -> None:
    """Guard clause: raise a ValidationError naming the field and the rule it breaks."""
    if not condition:
        raise ValidationError(field, rule)
