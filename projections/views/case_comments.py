"""The comments on exception cases: one row per comment, read by case only when asked (the
queue's rows carry just their count)."""

from __future__ import annotations

from typing import Any

import domain.exception_case
from projections.projection import Column, Projection
from projections.read_models import CaseCommentView
from storage import view_codec

# As in exception_queue.py: the `@event` classes are made at import, unseen by mypy.
ExceptionCase: Any = domain.exception_case.ExceptionCase

case_comments = Projection(
    name="case_comments",
    columns=(Column("case_id", indexed=True),),
    row_columns=lambda view: (view.case_id,),
)
view_codec.register(CaseCommentView)


def _comment_key(event: Any, _lookup: Any) -> tuple[tuple[str, str], ...]:
    """A row of its own per comment, in the case's order (its version, zero-padded)."""
    return ((f"exceptioncase:{event.originator_id}:{event.originator_version:010d}", ""),)


@case_comments.on(ExceptionCase.Commented, keys=_comment_key, creates=True)
def commented(view: Any, event: Any, ref: str) -> CaseCommentView:
    prov = event.provenance
    return CaseCommentView(
        case_id=str(event.originator_id),
        version=event.originator_version,
        at=prov.at,
        actor=prov.actor,
        channel=prov.channel.value,
        message_id=prov.message_id,
        text=event.text,
    )
