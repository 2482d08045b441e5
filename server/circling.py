"""Accepting (circling) a take: the one its shot places, its WAVs saying CIRCLED.

The store keeps every take's WAVs as generated: takes are immutable and their hashes never
change. Accepting a take makes, once, a circled copy of each of its WAVs
(``server.media.bwf.circled_copy``: the same audio and bext, iXML CIRCLED TRUE, a new C2PA
manifest whose parent ingredient is the generated file, so it is still marked as made by an
algorithm) and records it beside the take. While the take is its shot's accepted one it is
listed with those copies; when another take of the shot is accepted it is listed with its
generated, uncircled files again. Nothing is rewritten in place, so a file a client already
fetched stays valid, and signing stays in the one writer.
"""

from __future__ import annotations

from dataclasses import fields, replace

from foleyline.provenance import Generation, notes_digest, read_provenance
from foleyline.server.engines.manifest import model_licence
from foleyline.server.media.bwf import circled_copy
from foleyline.server.records import AudioFile, Take
from foleyline.server.signing import credentials
from foleyline.server.store import Store, storage_errors

__all__ = ["accept", "take_files"]


def _generation(store: Store, take: Take, audio: AudioFile, layer: str) -> Generation:
    """What the file's own manifest says made it (a reused layer was made by an earlier take);
    from the take's record when the file has none (written before files were signed)."""
    said = read_provenance(store.audio_path(audio.sha256), anchors="").generation
    names = {f.name for f in fields(Generation)}
    if said and names <= set(said) | {"foleyline_version"}:
        return Generation(**{key: value for key, value in said.items() if key in names})
    return Generation(engine=take.engine, engine_version=take.engine_version, model=take.model,
                      model_licence=model_licence(take.engine), seed=take.seed,
                      notes_digest=notes_digest(take.notes), take_id=take.id, take_number=take.number,
                      shot=take.shot_name or take.shot_id, layer=layer)


def accept(store: Store, take_id: str) -> tuple[Take, dict[str, AudioFile]]:
    """Circle ``take_id`` (its shot's previous choice is no longer accepted); returns the take
    and its circled files by the hash of each file as generated."""
    take = store.get_take(take_id)
    circled = store.circled_files(take.id)
    creds = credentials()
    for label, audio in [*((layer.label, layer.audio) for layer in take.layers), ("mix", take.mix)]:
        if audio.sha256 in circled:
            continue
        source = store.audio_path(audio.sha256)
        staged = store.staging_path(".wav")
        try:
            with storage_errors("circling a take's WAV"):
                circled_copy(source, staged, _generation(store, take, audio, label), creds)
        except BaseException:
            store.discard_staged(staged)
            raise
        with storage_errors("storing a circled WAV"):
            sha, size = store.adopt_audio(staged)
        circled[audio.sha256] = replace(audio, sha256=sha, size_bytes=size)
    store.accept_take(take.id, circled)
    return take, circled


def take_files(store: Store, take: Take, accepted_ids: set[str]) -> tuple[bool, dict[str, AudioFile]]:
    """(accepted, the files to list it with instead of its generated ones)."""
    if take.id not in accepted_ids:
        return False, {}
    return True, store.circled_files(take.id)
