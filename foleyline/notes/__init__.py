"""Shot notes: the chain of thought that explains and drives each shot's Foley.

The dataclasses live in ``schema``; ``text`` is the plain-text form an editor types
(``text_writer`` writes it), ``convert`` the protobuf message, ``diff`` and ``instructions`` the
editing (``phrases``: how an editor names a layer), ``tokens`` the text limits of engines.
"""

from foleyline.notes.convert import notes_from_proto, notes_to_proto
from foleyline.notes.schema import Event, EnergyPoint, Layer, LayerKind, Notes, Region
from foleyline.notes.text import NotesSyntaxError, from_text, summary, to_text
from foleyline.notes.validate import check, problems

__all__ = [
    "Event", "EnergyPoint", "Layer", "LayerKind", "Notes", "Region",
    "NotesSyntaxError", "from_text", "to_text", "summary",
    "notes_to_proto", "notes_from_proto", "check", "problems",
]
