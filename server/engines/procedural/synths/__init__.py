"""The library of synthesized sound models (no sample files). ``CATALOG`` maps each model's
name to its ``SoundModel``; the matcher chooses from it and the engine renders with it."""

from __future__ import annotations

from .base import SoundModel, SoundParams
from .cloth import CLOTH_MODELS
from .elements import ELEMENT_MODELS
from .footsteps import FOOTSTEP_MODELS
from .impacts import IMPACT_MODELS
from .life import LIFE_MODELS
from .machines import MACHINE_MODELS
from .weather import WEATHER_MODELS
from .whoosh import WHOOSH_MODELS

_ALL: tuple[SoundModel, ...] = (
    IMPACT_MODELS + FOOTSTEP_MODELS + WHOOSH_MODELS + CLOTH_MODELS
    + WEATHER_MODELS + ELEMENT_MODELS + MACHINE_MODELS + LIFE_MODELS
)

CATALOG: dict[str, SoundModel] = {model.name: model for model in _ALL}

__all__ = ["CATALOG", "SoundModel", "SoundParams"]
