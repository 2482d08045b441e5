"""Editing notes by instruction: the VLM when one is installed, else the rule-based reader
(``foleyline.notes.instructions``), which also catches what the model gets wrong."""

from __future__ import annotations

import logging
from pathlib import Path

from foleyline.errors import InvalidInput
from foleyline.notes.diff import affected_layers, unified_diff
from foleyline.notes.instructions import EditResult
from foleyline.notes.instructions import apply_instruction as apply_rules
from foleyline.notes.schema import Notes
from foleyline.server.notes.draft_vlm import VlmSettings, edit_with_vlm, load_vlm
from foleyline.server.notes.drafters import best

__all__ = ["EditResult", "apply_instruction"]

log = logging.getLogger(__name__)


def apply_instruction(notes: Notes, instruction: str, duration: float | None = None, *,
                      editor: str = "auto", vlm_folder: Path | None = None,
                      vlm_settings: VlmSettings = VlmSettings()) -> EditResult:
    """Apply an editor's instruction to ``notes`` for a shot of ``duration`` seconds.

    ``editor``: "auto" (the VLM when installed, else the rules), "rules" or "vlm". The rules run
    first when they understand the instruction: they are exact and instant. The VLM takes what
    they cannot read, with one retry; if its answers are invalid the rules' error is raised.
    """
    if not instruction.strip():
        raise InvalidInput("the instruction is empty; say e.g. 'add thunder at 3 s'")
    if editor not in ("auto", "rules", "vlm"):
        raise InvalidInput(f"unknown editor {editor!r}; use auto, rules or vlm")
    rules_error: InvalidInput | None = None
    if editor != "vlm":
        try:
            return apply_rules(notes, instruction, duration)
        except InvalidInput as exc:
            rules_error = exc
            if editor == "rules":
                raise
    installed = best("vlm") if vlm_folder is None else None
    folder = vlm_folder or (installed.folder if installed else None)
    if folder is None:
        assert rules_error is not None or editor == "vlm"
        if rules_error is not None:
            raise rules_error
        raise InvalidInput("no vision-language model is installed to edit by instruction; "
                           "use the rule-based editor (editor='rules')")
    span = duration if duration is not None else max(
        [e.end for layer in notes.layers for e in layer.events] or [0.0])
    outcome = edit_with_vlm(load_vlm(folder, vlm_settings), notes, instruction, span)
    if outcome.notes is None:
        problems = "; ".join(outcome.attempts[-1].problems[:3]) if outcome.attempts else "no answer"
        if rules_error is not None:
            raise InvalidInput(f"{rules_error} (the VLM's answers were not valid notes either: {problems})")
        raise InvalidInput(f"the VLM could not apply {instruction!r}: {problems}")
    new = outcome.notes
    if new == notes or new.layers == notes.layers:
        raise InvalidInput(f"{instruction!r} changed nothing in the notes")
    return EditResult(new, unified_diff(notes, new), affected_layers(notes, new),
                      f"edited by {new.author or 'the VLM'} as asked: {instruction}")
