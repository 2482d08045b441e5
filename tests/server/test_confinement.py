"""Media reaches the engines only as one plain file under the allowed roots or uploaded: a
playlist or a file list under a root, or uploaded, opens nothing else; a FIFO never blocks a
worker; and what a refusal says names no folder of the server's own."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import grpc
import pytest

from foleyline.errors import MediaError
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.protos.v1 import foley_pb2_grpc as pb_grpc
from serverkit import collect, make_shot, two_layer_notes


@pytest.fixture
def secret(tmp_path: Path, clip_path: Path) -> Path:
    """A clip in a private folder outside every allowed root."""
    folder = tmp_path / "private"
    folder.mkdir(mode=0o700)
    return Path(shutil.copy(clip_path, folder / "secret.mp4"))


def _with_notes(shot: pb.Shot) -> pb.Shot:
    shot.notes.CopyFrom(two_layer_notes(shot.id))
    shot.has_notes = True
    return shot


def _playlist(path: Path, entry: Path) -> Path:
    path.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXTINF:3.0,\n{entry}\n#EXT-X-ENDLIST\n")
    return path


def test_a_playlist_under_an_allowed_root_opens_nothing_outside(client, clip_path: Path, secret: Path) -> None:
    playlist = _playlist(clip_path.parent / "bypass.m3u8", secret)
    try:
        events = collect(client.generate([_with_notes(make_shot(playlist))]))
        (failure,) = events["shot_failed"]
        assert failure.code == "FAILED_PRECONDITION" and "playlists" in failure.reason
        assert "take_ready" not in events
        (drafted,) = client.draft_notes([make_shot(playlist)], writer="analysis")
        assert drafted.WhichOneof("result") == "error" and "playlists" in drafted.error
    finally:
        playlist.unlink()


def test_an_uploaded_playlist_or_file_list_is_refused(client, server, tmp_path: Path, secret: Path) -> None:
    listing = tmp_path / "reel.ffconcat"
    listing.write_text(f"ffconcat version 1.0\nfile '{secret}'\n")
    for upload in (_playlist(tmp_path / "bypass.m3u8", secret), listing):
        with pytest.raises(MediaError) as caught:
            client.upload_media(upload)
        assert f"the upload '{upload.name}'" in str(caught.value) and "playlists" in str(caught.value)
        assert str(server.store.root) not in str(caught.value)
    assert not list(server.store.media_dir.rglob("*.*")) and not list(server.store.tmp_dir.iterdir())


def test_a_fifo_or_a_playlist_naming_one_never_blocks_the_workers(client, clip_path: Path, tmp_path: Path) -> None:
    fifo = clip_path.parent / "stuck.mp4"
    os.mkfifo(fifo)
    playlist = _playlist(clip_path.parent / "stuck.m3u8", tmp_path / "fifo.ts")
    os.mkfifo(tmp_path / "fifo.ts")
    try:
        shots = [_with_notes(make_shot(fifo, shot_id="fifo")), _with_notes(make_shot(playlist, shot_id="list")),
                 _with_notes(make_shot(clip_path, shot_id="good"))]
        events = collect(client.generate(shots))
        reasons = {f.shot_id: f.reason for f in events["shot_failed"]}
        assert "not a plain file" in reasons["fifo"] and "playlists" in reasons["list"]
        assert [t.shot_id for t in events["take_ready"]] == ["good"]
    finally:
        fifo.unlink()
        playlist.unlink()


def test_refusals_name_no_folder_of_the_servers_own(client, server, tmp_path: Path) -> None:
    root = str(server.store.root)
    with pytest.raises(Exception) as caught:
        client.fetch_audio("ab" * 32, tmp_path / "x.wav")
    assert "no audio" in str(caught.value) and root not in str(caught.value)
    shot = make_shot(None)
    shot.media.content_hash = "cd" * 32
    (failure,) = collect(client.generate([_with_notes(shot)]))["shot_failed"]
    assert root not in failure.reason
    with grpc.insecure_channel(server.address) as channel:
        with pytest.raises(grpc.RpcError) as refused:
            pb_grpc.FoleyStub(channel).ListJobs(pb.ListJobsRequest(), metadata=(("authorization", "Bearer wrong"),), timeout=30)
    from foleyline import config

    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert str(config.config_dir()) not in refused.value.details()


def test_a_refusal_of_an_uploaded_file_names_the_upload_not_the_store(client, server, tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00" * 5000)
    started = time.monotonic()
    with pytest.raises(MediaError) as caught:
        client.upload_media(broken)
    assert time.monotonic() - started < 30  # a guard against a probe that hangs, not a timing
    assert "'broken.mp4'" in str(caught.value) and str(server.store.root) not in str(caught.value)
