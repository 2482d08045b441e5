"""The one request builder: a shot, the editor's notes, and what to regenerate."""

from __future__ import annotations

from pathlib import Path

from foleyline.notes import Layer, LayerKind, Notes
from foleyline.plugin.requests import project_settings, shot_request
from foleyline.plugin.shots import shot_to_proto
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.plugin.timeline import Selection, find_shots


def test_without_notes_the_request_is_the_shot_and_the_server_drafts(timeline_factory, tmp_path) -> None:
    shot = find_shots(timeline_factory(media_dir=tmp_path), Selection()).shots[0]
    request = shot_request(shot)
    assert request == shot_to_proto(shot)
    assert not request.has_notes and not request.only_layers and not request.base_take_id


def test_notes_go_out_under_the_shots_id_with_what_to_regenerate(timeline_factory, tmp_path) -> None:
    shot = find_shots(timeline_factory(media_dir=tmp_path), Selection()).shots[0]
    notes = Notes(shot_id="elsewhere", version=3, layers=(Layer("steps", LayerKind.FOLEY, prompt="boots"),))
    request = shot_request(shot, notes, only_layers=["steps"], base_take_id="take-0123456789ab", content_hash="ab" * 32)
    assert request.has_notes and request.notes.shot_id == shot.id and request.notes.version == 3
    assert [layer.label for layer in request.notes.layers] == ["steps"]
    assert list(request.only_layers) == ["steps"] and request.base_take_id == "take-0123456789ab"
    # Uploaded media is named by its hash: a server on another machine cannot read our path.
    assert request.media.WhichOneof("source") == "content_hash" and request.media.content_hash == "ab" * 32


def test_the_project_is_the_timeline_s_name_made_to_fit_unless_one_is_named() -> None:
    asked = pb.GenerateSettings(num_takes=2)
    named = project_settings(asked, "Reel 1\x0bv3\r\n")
    assert named.project == "Reel 1 v3" and named.num_takes == 2 and not asked.project  # a copy
    assert len(project_settings(None, "x" * 400).project) == 256  # the server's bound
    assert project_settings(pb.GenerateSettings(project="Night Market"), "Reel 1").project == "Night Market"


def test_a_timeline_without_a_name_is_named_after_its_file_and_one_without_either_gets_no_project() -> None:
    # The one place every front end (generate, the panel, the Resolve run) reads the rule from.
    assert project_settings(None, "", Path("/edits/Reel 2 v4.otio")).project == "Reel 2 v4"
    assert project_settings(None, "Reel 1", Path("/edits/export.edl")).project == "Reel 1"
    assert project_settings(None, "").project == ""
