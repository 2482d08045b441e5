"""Server side of shot notes: drafting (VLM or motion analysis) and editing by instruction.

    draft(shot, writer="auto") -> DraftResult(notes, writer, warnings, attempts)
    apply_instruction(notes, instruction, duration) -> EditResult(notes, diff, affected_layers, summary)
    required_streams(writer) -> the StreamSpecs to decode for drafting
    messages.draft_event / edit_request / edit_response: the same as foleyline.v1 messages
"""

from foleyline.server.notes.drafting import DraftResult, draft, required_streams, shot_duration
from foleyline.server.notes.editing import EditResult, apply_instruction
from foleyline.server.notes.messages import draft_error_event, draft_event, edit_request, edit_response

__all__ = ["DraftResult", "EditResult", "apply_instruction", "draft", "draft_error_event", "draft_event",
           "edit_request", "edit_response", "required_streams", "shot_duration"]
