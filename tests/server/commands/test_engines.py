"""``foleyline engines``: every engine of the manifest, its weights' licence, and why it cannot
run when it cannot."""

from __future__ import annotations

from foleyline.cli import main


def test_each_engine_is_listed_with_its_licence_and_what_is_missing(capsys) -> None:
    assert main(["engines"]) == 0
    out = capsys.readouterr().out
    blocks = {}
    for line in out.splitlines():
        if not line.startswith(" "):
            name = line.split()[0]
            blocks[name] = [line]
        else:
            blocks[name].append(line.strip())
    assert list(blocks) == ["procedural", "mmaudio", "thinksound", "hunyuan_foley", "notes"]
    assert "available: yes" in blocks["procedural"][0] and "48000 Hz" in blocks["procedural"][0]
    assert blocks["procedural"][1].startswith("weights: none")
    assert blocks["mmaudio"][1] == "weights: CC-BY-NC-4.0: non-commercial use only, with attribution"
    assert "available: no" in blocks["thinksound"][0] and "research and educational use only" in blocks["thinksound"][1]
    assert "foleyline models pull thinksound" in blocks["thinksound"][2]
    assert "48000 Hz, 15 s" in blocks["hunyuan_foley"][0] and "South Korea" in blocks["hunyuan_foley"][1]
    assert blocks["hunyuan_foley"][2].startswith("needs: GPU memory: about 20 GB for XXL, 16 GB for XL")
    assert "foleyline models pull hunyuan-foley" in blocks["hunyuan_foley"][3]


def test_the_notes_block_says_which_rung_drafts_and_what_to_pull(capsys) -> None:
    assert main(["engines"]) == 0
    notes = capsys.readouterr().out.split("\nnotes ", 1)[1].splitlines()
    assert notes[0].strip() == "drafted by the motion analysis alone: layers named by the kind of motion, not by what is seen"
    assert "foleyline models pull qwen3-vl-2b --accept-licence" in notes[1]
    assert "foleyline models pull clip-vit-b32 --accept-licence" in notes[2]
