"""Notes results as the API's messages, so the servicer only translates (``foleyline.v1``).

    draft_event(shot_id, result, token_limit=77) -> DraftNotesEvent (notes split to the limit,
                                                    token counts, warnings)
    draft_error_event(shot_id, exc)               -> DraftNotesEvent carrying the error
    edit_request(request)                         -> EditResult, from an EditNotesRequest
    edit_response(result)                         -> EditNotesResponse
"""

from __future__ import annotations

from collections.abc import Callable

from foleyline.notes.convert import notes_from_proto, notes_to_proto
from foleyline.notes.instructions import EditResult
from foleyline.notes.schema import Notes
from foleyline.notes.tokens import (Counter, TokenCount, count_tokens, estimate_tokens, split_long_layers,
                                    token_counts_to_proto, token_warnings)
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.server.notes.drafting import DraftResult
from foleyline.server.notes.editing import apply_instruction

__all__ = ["draft_event", "draft_error_event", "edit_request", "edit_response"]


def draft_event(shot_id: str, result: DraftResult, *, token_limit: int | None = None,
                counter: Counter = estimate_tokens,
                counts_of: Callable[[Notes], list[TokenCount]] | None = None) -> pb.DraftNotesEvent:
    """The event for one drafted shot. With the target engine's ``token_limit``, drafted layers
    over it are split at clauses (they are the server's words, not the editor's) and any layer
    still over is reported in the warnings; the counts always go out, counted by ``counts_of``
    (the engine's own count of what it reads) when given, else by ``counter``."""
    notes, warnings = result.notes, [*result.warnings, *(f"not used: {m}" for m in result.missing)]
    if token_limit:
        notes, split_warnings = split_long_layers(notes, token_limit, counter)
        warnings += split_warnings
    counts = counts_of(notes) if counts_of is not None else count_tokens(notes, token_limit, counter)
    warnings += [w for w in token_warnings(counts) if w not in " ".join(warnings)]
    return pb.DraftNotesEvent(shot_id=shot_id, notes=notes_to_proto(notes),
                              token_counts=token_counts_to_proto(counts), warnings=warnings)


def draft_error_event(shot_id: str, error: BaseException) -> pb.DraftNotesEvent:
    return pb.DraftNotesEvent(shot_id=shot_id, error=str(error) or type(error).__name__)


def edit_request(request: pb.EditNotesRequest, **kwargs: object) -> EditResult:
    """Apply an EditNotesRequest (``shot_duration`` 0 means unknown)."""
    duration = request.shot_duration if request.shot_duration > 0 else None
    return apply_instruction(notes_from_proto(request.notes), request.instruction, duration, **kwargs)  # type: ignore[arg-type]


def edit_response(result: EditResult) -> pb.EditNotesResponse:
    return pb.EditNotesResponse(notes=notes_to_proto(result.notes), diff=result.diff,
                                affected_layers=list(result.affected_layers), summary=result.summary)
