"""Server side of shot notes: drafting down the ladder (a VLM, else CLIP labels with the motion
analysis, else the motion analysis) and editing by instruction.

    draft(shot, writer="auto", counts_of=None) -> DraftResult(notes, writer, warnings, attempts,
                                                 drafter, missing, runs)
    apply_instruction(notes, instruction, duration) -> EditResult(notes, diff, affected_layers, summary)
    required_streams(writer) -> the StreamSpecs to decode for drafting
    messages.draft_event / edit_request / edit_response: the same as foleyline.v1 messages
"""

from foleyline.server.notes.drafting import DraftResult, draft, drafting_plan, required_streams, shot_duration
from foleyline.server.notes.editing import EditResult, apply_instruction
from foleyline.server.notes.messages import draft_error_event, draft_event, edit_request, edit_response

__all__ = ["DraftResult", "EditResult", "apply_instruction", "draft", "draft_error_event", "draft_event", "drafting_plan",
           "edit_request", "edit_response", "required_streams", "shot_duration"]
