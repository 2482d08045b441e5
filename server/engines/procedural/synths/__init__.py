"""The library of synthesized sound models (no sample files). ``CATALOG`` maps each model's
name to its ``SoundModel``; the matcher chooses from it and the engine renders with it. Each
model names the UCS categories it renders (``SoundModel.ucs``; see ``..vocabulary``)."""

from __future__ import annotations

from .aircraft import AIRCRAFT_MODELS
from .animals import ANIMAL_MODELS
from .base import SoundModel, SoundParams
from .beasts import BEAST_MODELS
from .birdcalls import BIRD_CALL_MODELS
from .breaking import BREAKING_MODELS
from .breathing import BREATHING_MODELS
from .cloth import CLOTH_MODELS
from .doors import DOOR_MODELS
from .drawers import DRAWER_MODELS
from .electric import ELECTRIC_MODELS
from .elements import ELEMENT_MODELS
from .footsteps import FOOTSTEP_MODELS
from .handling import HANDLING_MODELS
from .heart import HEART_MODELS
from .hooves import HOOF_MODELS
from .impacts import IMPACT_MODELS
from .insects import INSECT_MODELS
from .life import LIFE_MODELS
from .liquids import LIQUID_MODELS
from .machines import MACHINE_MODELS
from .mechanisms import MECHANISM_MODELS
from .signals import SIGNAL_MODELS
from .sports import SPORT_MODELS
from .storm import STORM_MODELS
from .vehicles import VEHICLE_MODELS
from .weapons import WEAPON_MODELS
from .weather import WEATHER_MODELS
from .whoosh import WHOOSH_MODELS

# The order breaks ties between equally good keyword matches: earlier wins.
_ALL: tuple[SoundModel, ...] = (
    IMPACT_MODELS + FOOTSTEP_MODELS + WHOOSH_MODELS + CLOTH_MODELS
    + WEATHER_MODELS + STORM_MODELS + WEAPON_MODELS + ELEMENT_MODELS + MACHINE_MODELS + LIFE_MODELS
    + ANIMAL_MODELS + BEAST_MODELS + BIRD_CALL_MODELS + BREAKING_MODELS + DRAWER_MODELS + DOOR_MODELS + VEHICLE_MODELS + LIQUID_MODELS
    + HANDLING_MODELS + ELECTRIC_MODELS + SIGNAL_MODELS + SPORT_MODELS + HOOF_MODELS + MECHANISM_MODELS + HEART_MODELS
    + AIRCRAFT_MODELS + BREATHING_MODELS + INSECT_MODELS
)

CATALOG: dict[str, SoundModel] = {model.name: model for model in _ALL}

__all__ = ["CATALOG", "SoundModel", "SoundParams"]
