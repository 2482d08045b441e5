"""Drafting and editing results as foleyline.v1 messages."""

from __future__ import annotations

from foleyline.errors import Unavailable
from foleyline.notes import Event, Layer, LayerKind, Notes, notes_from_proto, notes_to_proto
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.server.notes import DraftResult, draft_error_event, draft_event, edit_request, edit_response

LONG = "heavy boots on wet gravel, slow pace, scuffs of the heel, keys jingling in a pocket, coat rustling"
DRAFTED = Notes(layers=(Layer("steps", LayerKind.FOLEY, prompt=LONG, events=(Event(1, 1),)),
                        Layer("wind", LayerKind.BG, prompt="wind")), author="analysis")


def test_a_draft_event_carries_notes_counts_and_warnings() -> None:
    event = draft_event("sh1", DraftResult(DRAFTED, "analysis", ["VLM not used: none installed"]))
    assert event.shot_id == "sh1" and event.WhichOneof("result") == "notes"
    assert notes_from_proto(event.notes) == DRAFTED
    assert [c.layer_label for c in event.token_counts] == ["steps", "wind"]
    assert not any(c.over_limit for c in event.token_counts) and list(event.warnings) == ["VLM not used: none installed"]


def test_over_the_engine_limit_drafted_layers_are_split_and_counted() -> None:
    event = draft_event("sh1", DraftResult(DRAFTED, "analysis"), token_limit=12)
    labels = [layer.label for layer in event.notes.layers]
    assert labels[0] == "steps" and "steps 2" in labels and labels[-1] == "wind"
    assert all(not c.over_limit and c.limit == 12 for c in event.token_counts)
    assert any("split into" in w for w in event.warnings)


def test_an_error_event_says_what_went_wrong() -> None:
    event = draft_error_event("sh2", Unavailable("no frames"))
    assert event.WhichOneof("result") == "error" and event.error == "no frames"


def test_edit_request_and_response() -> None:
    request = pb.EditNotesRequest(notes=notes_to_proto(DRAFTED), instruction="quieter wind", shot_duration=4.0)
    response = edit_response(edit_request(request, editor="rules"))
    assert list(response.affected_layers) == ["wind"]
    assert notes_from_proto(response.notes).layer("wind").gain_db == -3.0
    assert "+gain: -3 dB" in response.diff and response.summary
