"""Why a cXML document is refused: the cXML status code to answer with, the element's path
and the rule it breaks (``/cXML/Request/ConfirmationRequest/ConfirmationItem[2]/@lineNumber:
must be from 1 to 999999``)."""

from __future__ import annotations


class CxmlError(ValueError):
    """A document refused whole: nothing of it is applied. ``code`` is the cXML status."""

    code = 400
    text = "Bad Request"

    def __init__(self, path: str, rule: str) -> None:
        super().__init__(f"{path}: {rule}" if path else rule)
        self.path = path
        self.rule = rule


class UnsafeDocumentError(CxmlError):
    """An entity declaration (an expansion bomb, an external entity) or a document past the
    size limit: refused before anything in it is read."""


class MalformedDocumentError(CxmlError):
    """Not well-formed XML (or not UTF-8 where it says so): the parser's line and column."""


class UnauthorizedError(CxmlError):
    code = 401
    text = "Unauthorized"


class NotAcceptableError(CxmlError):
    """A request the partner's profile does not let it send."""

    code = 406
    text = "Not Acceptable"
