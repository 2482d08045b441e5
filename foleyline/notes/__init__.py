"""Shot notes: the chain of thought that explains and drives each shot's Foley."""

from foleyline.notes.schema import Event, EnergyPoint, Layer, LayerKind, Notes, Region

__all__ = ["Event", "EnergyPoint", "Layer", "LayerKind", "Notes", "Region"]
