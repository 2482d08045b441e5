"""The procedural engine's vocabulary in the sound editor's terms: which UCS categories it can
make, which it stands in for with a near model, and which it cannot make at all.

Three sources, one answer:
- every model names the UCS CatIDs it renders (``SoundModel.ucs``): those are *covered*;
- ``FALLBACKS`` names, for CatIDs without a model, the model that comes closest (a suppressed
  shot is a quieter gunshot; a metal door closes like a door): those *fall back*;
- every other CatID has *no model*: a layer asking for it gets the layer kind's default.

``mentions`` finds the UCS categories a prompt names in plain words ("a helicopter overhead"
-> AEROHeli) from ``ALIASES``, a reviewed list of nouns for sound sources (not every UCS
subcategory name: "court" or "field" in a prompt is where, not what). The matcher warns when
a prompt names something the engine has no model for, and says what it will play instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from . import ucs
from .synths import CATALOG, SoundModel
from .synths.vehicles import TYRE_WORDS

Status = Literal["model", "fallback", "none"]

# CatID -> the model that stands in for it (the coverage table says "falls back to").
FALLBACKS: dict[str, str] = {
    # materials: a break, a crash, handling - the material's own impact
    "METLBrk": "impact_metal", "METLCrsh": "impact_metal", "METLMvmt": "impact_metal",
    "WOODBrk": "impact_wood", "WOODCrsh": "impact_wood", "WOODMvmt": "impact_wood", "WOODHndl": "impact_wood",
    "ROCKBrk": "impact_stone", "ROCKCrsh": "impact_stone", "ROCKMvmt": "impact_stone",
    "PLASBrk": "impact_soft", "PLASCrsh": "impact_soft", "PLASMvmt": "impact_soft", "PLASMisc": "impact_soft",
    "RUBRCrsh": "impact_soft", "RUBRMvmt": "impact_soft", "RUBRMisc": "impact_soft",
    "LETHRMisc": "impact_soft", "LETHRCreak": "creak", "ROPECreak": "creak",
    "GLASMvmt": "impact_glass", "CERMMvmt": "impact_glass", "CERMMisc": "impact_glass",
    "ICEBrk": "glass_break", "ICECrsh": "glass_break", "ICEMvmt": "impact_glass", "ICETonl": "impact_glass", "ICEMisc": "impact_glass",
    "DIRTCrsh": "impact_soft", "DIRTMvmt": "scrape", "DIRTMisc": "impact_soft",
    "SNOWCrsh": "impact_soft", "SNOWMisc": "impact_soft",
    "CHAINBrk": "impact_metal", "CHAINMisc": "keys",
    "DESTRCrsh": "explosion", "DESTRClpse": "explosion", "DESTRMisc": "explosion",
    # doors and windows of other materials close like a door; their hardware clicks like metal
    "DOORMetl": "door", "DOORGlas": "door", "DOORPlas": "door", "DOORSlid": "door", "DOORSton": "door",
    "DOORGate": "door", "DOORPrisn": "door", "DOORDungn": "door", "DOORAppl": "door", "VEHDoor": "door",
    "SCIDoor": "door", "TRNHorn": "horn",
    "DRWRPlas": "drawer",
    "WNDWWood": "impact_wood", "WNDWMetl": "impact_metal", "WNDWPlas": "impact_soft", "WNDWHdwr": "impact_metal",
    "WNDWMisc": "impact_glass",
    # weapons
    "GUNSupr": "gunshot", "GUNTech": "gunshot",
    "BLLTShel": "impact_metal", "BLLTImpt": "impact_stone", "BLLTBy": "whoosh",
    "WEAPKnif": "whoosh", "WEAPArro": "whoosh", "WEAPBlnt": "impact_body", "WEAPArmr": "keys", "WEAPMisc": "whoosh",
    "FRWKComr": "explosion", "FRWKRec": "explosion", "FRWKMisc": "explosion",
    # weather and water
    "HAIL": "rain", "NATDTorn": "wind", "NATDThyp": "storm",
    "WATRDrip": "water", "WATRFizz": "water", "WATRSpray": "water", "WATRFall": "water",
    "AMBUndwtr": "water", "WATRUndwtr": "water",
    "FIREBrst": "fire", "FIREIgn": "fire", "FIREGas": "fire", "FIREWhsh": "whoosh",
    # places: the bed that carries most of them
    "AMBCele": "crowd", "AMBSprt": "crowd", "AMBSchl": "crowd", "AMBHosp": "room_tone", "AMBPrisn": "room_tone",
    "AMBRlgn": "room_tone", "AMBUndr": "room_tone", "AMBInd": "engine", "AMBCnst": "engine",
    "AMBSubn": "traffic", "AMBTran": "traffic", "AMBRurl": "birds", "AMBFarm": "birds", "AMBSwmp": "birds",
    "AMBTrop": "birds", "AMBNaut": "surf", "AMBEmrg": "siren",
    "CRWDCheer": "crowd", "CRWDCele": "crowd", "CRWDSprt": "crowd", "CRWDAngr": "crowd", "CRWDPanic": "crowd",
    "CRWDBatl": "crowd", "CRWDReac": "crowd", "CRWDChld": "crowd", "CRWDLaff": "crowd", "CRWDSing": "crowd",
    "BIRDFowl": "birds", "BIRDTrop": "birds", "BIRDWade": "birds",
    "WINGBird": "cloth", "WINGMisc": "cloth", "MOVEActv": "cloth", "MOVEPres": "cloth", "MOVECrwd": "steps_concrete",
    # vehicles and machines: an engine is an engine
    "VEHAntq": "engine", "VEHJalop": "engine", "VEHMil": "engine", "VEHCnst": "engine", "VEHFarm": "engine",
    "VEHFrght": "engine", "VEHUtil": "engine", "VEHAtv": "engine", "VEHElec": "car_pass",
    "MOTRAntq": "engine", "MACHInd": "engine", "MACHHvac": "room_tone", "MACHFan": "room_tone",
    "MOTRElec": "hum", "MOTRSrvo": "hum", "ELECArc": "hum", "ELECSprk": "fire", "ELECZap": "hum",
    # struck things
    "BELLHand": "impact_metal", "BELLLrg": "impact_metal", "BELLGong": "impact_metal", "BELLAnml": "impact_metal",
    "TOONClang": "impact_metal", "TOONImpt": "impact_soft",
    "OBJJewl": "keys", "OBJWhled": "scrape", "OBJWrite": "scrape", "OBJHsehld": "impact_wood", "OBJMisc": "impact_soft",
    "PAPRRip": "paper", "CLOTHRip": "cloth",
}

# Nouns (and short phrases) for sound sources, as prompts say them -> the CatIDs they name.
ALIASES: dict[str, tuple[str, ...]] = {
    "helicopter": ("AEROHeli",), "chopper": ("AEROHeli",), "jet": ("AEROJet",), "airplane": ("AEROProp", "AEROJet"),
    "aeroplane": ("AEROProp", "AEROJet"), "plane": ("AEROProp", "AEROJet"), "aircraft": ("AEROMisc",),
    "rocket": ("AERORckt",), "siren": ("ALRMSirn", "VEHSirn"), "alarm": ("ALRMMisc",), "alarm clock": ("ALRMClok",),
    "buzzer": ("ALRMBuzr",), "beep": ("BEEP",), "beeps": ("BEEP",), "bell": ("BELLMisc",),
    "doorbell": ("BELLDoor",), "gong": ("BELLGong",), "horse": ("ANMLHors", "FEETHors"), "hooves": ("FEETHors",),
    "cow": ("ANMLFarm",), "sheep": ("ANMLFarm",), "pig": ("ANMLFarm",), "goat": ("ANMLFarm",),
    "chicken": ("BIRDFowl",), "rooster": ("BIRDFowl",), "duck": ("BIRDFowl",), "crow": ("BIRDCrow",),
    "raven": ("BIRDCrow",), "magpie": ("BIRDCrow",), "jackdaw": ("BIRDCrow",),
    # a crow bar is a tool, no bird
    "crow bar": ("TOOLHand",),
    "seagull": ("BIRDSea",), "seagulls": ("BIRDSea",), "owl": ("BIRDPrey",), "eagle": ("BIRDPrey",),
    "lion": ("ANMLWcat",), "tiger": ("ANMLWcat",), "big cat": ("ANMLWcat",), "monkey": ("ANMLPrim",), "frog": ("ANMLAmph",),
    "frogs": ("ANMLAmph",), "insect": ("ANMLInsc",), "insects": ("ANMLInsc",), "cricket": ("ANMLInsc",),
    # a bee's or a mosquito's buzz is its wings, not a cricket's chirp
    "crickets": ("ANMLInsc",), "bee": ("WINGInsc",), "mosquito": ("WINGInsc",), "mouse": ("ANMLRdnt",),
    "rat": ("ANMLRdnt",), "snake": ("ANMLRept",), "dog": ("ANMLDog",), "cat": ("ANMLCat",), "bird": ("BIRDSong",),
    "birds": ("BIRDSong",), "boat": ("BOATMisc",), "ship": ("BOATShip",), "motorboat": ("BOATMotr",),
    "submarine": ("BOATSub",), "ricochet": ("BLLTRico",), "whizz": ("BLLTBy",), "bullet": ("BLLTImpt",),
    "phone": ("COMTelph",), "telephone": ("COMTelph",), "cellphone": ("COMCell",), "radio": ("COMRadio",),
    "static": ("COMStatic",), "camera": ("COMCam",), "shutter": ("COMCam",), "typewriter": ("COMType",),
    "television": ("COMTv",), "tv": ("COMTv",), "keyboard": ("CMPTKey",), "typing": ("CMPTKey",),
    "mouse click": ("CMPTKey",), "computer": ("CMPTMisc",), "monster": ("CREAMnstr",), "dragon": ("CREADrgn",),
    "creature": ("CREAMisc",), "cheering": ("CRWDCheer",), "cheer": ("CRWDCheer",),
    "laughter": ("CRWDLaff", "VOXLaff"), "laughing": ("VOXLaff",), "drawer": ("DRWRMisc",), "filing cabinet": ("DRWRMetl",), "sparks": ("ELECSprk",),
    "zap": ("ELECZap",), "fireworks": ("FRWKComr",), "firework": ("FRWKComr",), "firecracker": ("FRWKComr",), "fart": ("FARTReal",),
    "gore": ("GOREMisc",), "stab": ("GOREStab",), "blood": ("GOREBlood",), "bone": ("GOREBone",),
    "horn": ("HORNMisc",), "car horn": ("VEHHorn",), "honk": ("VEHHorn",), "honking": ("VEHHorn",),
    "heartbeat": ("HMNHart",), "breath": ("HMNBrth",), "breathing": ("HMNBrth",), "cough": ("HMNCough",),
    "sneeze": ("HMNSneez",), "snore": ("HMNSnor",), "snoring": ("HMNSnor",), "kiss": ("HMNKiss",),
    "burp": ("HMNBurp",), "hail": ("HAIL",), "laser": ("LASRMisc",), "mud": ("LIQMisc",), "bubbles": ("LIQBubl",),
    "elevator": ("MACHElev",), "ceiling fan": ("MACHFan",), "electric fan": ("MACHFan",),
    "escalator": ("MACHEscl",), "air conditioning": ("MACHHvac",), "washing machine": ("MACHAppl",),
    "microwave": ("MACHAppl",), "fridge": ("MACHAppl",), "printer": ("MACHOffi",), "pump": ("MACHPump",),
    "magic": ("MAGMisc",), "spell": ("MAGSpel",), "click": ("MECHClik",), "switch": ("MECHSwtch",),
    "lever": ("MECHLvr",), "gears": ("MECHGear",), "ratchet": ("MECHRtch",), "music": ("MUSCMisc",),
    "piano": ("MUSCInst",), "guitar": ("MUSCStr",), "drum": ("MUSCPerc",), "drums": ("MUSCPerc",),
    "earthquake": ("NATDQuak",), "avalanche": ("NATDAval",), "volcano": ("NATDVolc",), "tornado": ("NATDTorn",),
    "zipper": ("OBJZipr",), "zip": ("OBJZipr",), "zipping": ("OBJZipr",), "unzipping": ("OBJZipr",),
    "unzip": ("OBJZipr",), "zips": ("OBJZipr",), "umbrella": ("OBJUmbr",), "suitcase": ("OBJLug",),
    "luggage": ("OBJLug",), "pen": ("OBJWrite",), "pencil": ("OBJWrite",), "writing": ("OBJWrite",),
    "tape": ("OBJTape",), "jewelry": ("OBJJewl",), "robot": ("ROBTMisc",), "spaceship": ("SCIShip",),
    "sci fi": ("SCIMisc",), "skateboard": ("SPRTSkate",), "drill": ("TOOLPowr",), "saw": ("TOOLPowr",),
    "chainsaw": ("TOOLPowr",), "jackhammer": ("TOOLPneu",), "toy": ("TOYMisc",), "train": ("TRNMisc",),
    "subway": ("TRNSbwy",), "tram": ("TRNTram",), "bicycle": ("VEHBike",), "bike": ("VEHBike",),
    "skid": ("VEHSkid",), "brakes": ("VEHBrake",), "tires": ("VEHTire",), "tyres": ("VEHTire",), "scream": ("VOXScrm",),
    "screaming": ("VOXScrm",), "voice": ("VOXMisc",), "baby": ("VOXBaby",), "crying": ("VOXCry",),
    "grunt": ("VOXEfrt",), "whistle": ("WHSTMisc",), "wings": ("WINGMisc",), "flapping": ("WINGBird",),
    "waterfall": ("WATRFall",), "drip": ("WATRDrip",), "dripping": ("WATRDrip",), "spray": ("WATRSpray",),
    "steam": ("WATRStm",), "fizz": ("WATRFizz",), "underwater": ("WATRUndwtr",), "whip": ("WEAPWhip",),
    "arrow": ("WEAPArro",), "sword": ("WEAPSwrd",), "knife": ("FOODIngr", "WEAPKnif"), "rope": ("ROPEMisc",),
    "leather": ("LETHRImpt", "LETHRMisc"), "rubber": ("RUBRImpt", "RUBRMisc"), "plastic": ("PLASImpt", "PLASMisc"),
    "ice": ("ICEImpt", "ICEMisc"), "chain": ("CHAINMvmt", "CHAINMisc"), "clock": ("CLOCKTick",),
    "ticking": ("CLOCKTick",),
    # a clock striking the hour is its chime, no tick
    "clock strikes": ("CLOCKChim",), "clock striking": ("CLOCKChim",), "clock chimes": ("CLOCKChim",),
    "clock chiming": ("CLOCKChim",),
    # a gun's mechanism is not its report
    "cocking": ("GUNMech",), "reload": ("GUNMech",), "reloading": ("GUNMech",),
    # a spent shell's tinkle is no report either; a match struck is no fire's crackle
    "shell casing": ("BLLTShel",), "shell casings": ("BLLTShel",), "casings": ("BLLTShel",),
    "match strike": ("FIREIgn",), "strikes a match": ("FIREIgn",), "struck a match": ("FIREIgn",),
    "lights a match": ("FIREIgn",), "lit a match": ("FIREIgn",),
    "leaves": ("VEGELeaf",), "foliage": ("VEGELeaf",), "bushes": ("VEGEMisc",),
    "sneakers": ("FEETHmn",), "sneaker": ("FEETHmn",), "trainers": ("FEETHmn",),
    # a crash of vehicles is no pass-by: metal, glass and debris, which no model makes together
    "car crash": ("DESTRCrsh",), "car crashes": ("DESTRCrsh",), "car accident": ("DESTRCrsh",),
    "collision": ("DESTRCrsh",), "collides": ("DESTRCrsh",), "pileup": ("DESTRCrsh",),
    "billiard": ("SPRTIndor",), "billiards": ("SPRTIndor",), "pool balls": ("SPRTIndor",), "snooker": ("SPRTIndor",),
    "weights": ("SPRTGym",), "dumbbells": ("SPRTGym",), "barbell": ("SPRTGym",),
    "bottle": ("FOODGware",), "jar": ("FOODGware",), "soda can": ("FOODDrnk",), "beer can": ("FOODDrnk",),
    "tin can": ("FOODDrnk",), "cereal": ("FOODIngr",), "rice": ("FOODIngr",), "sugar": ("FOODIngr",),
    "flour": ("FOODIngr",), "grain": ("FOODIngr",), "beans": ("FOODIngr",), "salt": ("FOODIngr",),
    "panting": ("HMNBrth",), "chime": ("MUSCChim",), "chimes": ("MUSCChim",), "wind chimes": ("MUSCChim",),
    "wolf": ("ANMLWild",), "wolves": ("ANMLWild",), "coyote": ("ANMLWild",),
    # a suppressed shot is a cough and the action's clatter, not the report
    "silenced": ("GUNSupr",), "suppressed": ("GUNSupr",), "silencer": ("GUNSupr",), "suppressor": ("GUNSupr",),
    # wheels roll: wood and iron rims on a road, casters on a floor, which no model makes
    "wagon": ("VEHWagn",), "wagon wheels": ("VEHWagn",), "cart": ("VEHWagn",), "carriage": ("VEHWagn",),
    "stagecoach": ("VEHWagn",), "wheels": ("OBJWhled",), "casters": ("OBJWhled",), "office chair": ("OBJWhled",),
    "wheelchair": ("OBJWhled",), "trolley": ("OBJWhled",), "shopping cart": ("OBJWhled",),
    "shredder": ("MACHOffi",), "photocopier": ("MACHOffi",), "copier": ("MACHOffi",), "fax": ("MACHOffi",),
    "poker chips": ("GAMECas",), "casino chips": ("GAMECas",), "dice": ("GAMECas",), "roulette": ("GAMECas",),
    # a train's horn and a steam engine's chuff are no rolling train
    "train horn": ("TRNHorn",), "steam train": ("TRNSteam",), "steam locomotive": ("TRNSteam",),
    "steam engine": ("TRNSteam",),
    "puck": ("SPRTWntr",), "bowling": ("SPRTIndor",), "blast door": ("SCIDoor",),
    # shoes are feet: their squeak on a court is no step
    "shoes": ("FEETHmn",), "shoe": ("FEETHmn",),
}

# Sounds a modelled source also makes but its model does not: "dog whimper" names a dog, which
# the bark model renders, yet a whimper is a thin whine, not a burst. No UCS category tells these
# apart, so they are named by the sound word and warned about unless a model that makes the word
# beside its source plays (``SoundModel.happens_to``: the growl beside a dog); a word that
# other sources make too counts only beside the source it names here ("cat hissing", not "steam
# hissing"; "dog whining", not an engine's whine, which the engine model makes).
_ANY_SOURCE: tuple[str, ...] = ()
_SCREECH = ("screech", "screeches", "screeching", "squeal", "squeals", "squealing")
UNMADE_SOUNDS: dict[str, tuple[str, ...]] = {
    # a growl is the growl model's only beside what growls (``SoundModel.happens_to``): a stomach's is warned
    **dict.fromkeys(("growl", "growls", "growling", "growled", "snarl", "snarls", "snarling", "snarled", "whimper", "whimpers",
                     "whimpering", "purr", "purrs", "purring"), _ANY_SOURCE),
    **dict.fromkeys(("hiss", "hisses", "hissing"), ("ANMLCat", "ANMLRept")),
    **dict.fromkeys(("whine", "whines", "whining", "howl", "howls", "howling"), ("ANMLDog",)),
    # a horse's snort and nicker are no hoofbeat and no whinny (its neigh has a model)
    **dict.fromkeys(("nicker", "nickers", "snort", "snorts", "snorting"), ("ANMLHors", "FEETHors")),
    # a phone buzzing in a pocket or on a table is no ring
    **dict.fromkeys(("vibrate", "vibrates", "vibrating", "vibration", "buzzing", "buzzes"), ("COMTelph", "COMCell")),
    # a rubber sole's chirp on a gym floor is neither a step nor a hinge's creak
    **dict.fromkeys(("squeak", "squeaks", "squeaking", "squeaky"), ("FEETHmn",)),
    # a cap twisted off, a cork pulled or a can's tab is neither the glass's clink nor a pour
    **dict.fromkeys(("opening", "opens", "opened", "uncork", "uncorks", "uncorking", "uncorked", "unscrew",
                     "unscrews", "unscrewing", "unscrewed", "pop", "pops", "popping"), ("FOODGware", "FOODDrnk")),
    # a dry pour (cereal into a bowl, rice into a pan) is grains, not the water the pour model makes
    **dict.fromkeys(("pour", "pours", "pouring", "poured"), ("FOODIngr",)),
    # a saw's stroke, a blade drawn on a steel and a pair of scissors' snip are no knock and no chop
    **dict.fromkeys(("sawing", "saws", "sharpening", "sharpens", "whetting", "scissors", "snip", "snips", "snipping"),
                    _ANY_SOURCE),
    # a bird's or a creature's screech is no call the bird model makes (a tyre's is the skid's, below)
    **dict.fromkeys(_SCREECH, _ANY_SOURCE),
    # a large bell's toll or peal rings on for seconds, which the metal's struck ring does not
    **dict.fromkeys(("toll", "tolls", "tolling", "tolled", "peal", "peals", "pealing"), ("BELLMisc", "BELLLrg")),
    # a blade drawn ("a sword being drawn from its scabbard") rings along the sheath: no swing, no clang
    **dict.fromkeys(("draw", "draws", "drew", "drawn", "drawing"), ("WEAPSwrd", "WEAPKnif")),
    # a mouth drinking is no pour ("potion drink": a gulp, whoever poured it), and a blade drawn from its scabbard no swing
    **dict.fromkeys(("drink", "drinks", "drinking", "sipping", "sips", "gulp", "gulps", "gulping", "swallow", "swallows", "swallowing",
                     "slurp", "slurps", "slurping", "unsheathe", "unsheathes", "unsheathed", "unsheathing", "sheathe",
                     "sheathes", "sheathed", "sheathing"), _ANY_SOURCE),
}

# A drink poured is what the pour pours ("bartender pours a drink"), not a mouth drinking.
_POURED = dict.fromkeys(("drink", "drinks"), frozenset({"pour", "pours", "pouring", "poured"}))
# A screech beside what has tyres is theirs: a skid, which the skid model makes.
_TYRED = frozenset(TYRE_WORDS)

# Sources that are as often where a sound happens: "leaves rustling" names them, "rain on
# leaves" and "footsteps through dry leaves" name a surface the rain and steps models make.
_ALSO_SURFACES = frozenset({"leaves", "foliage", "bushes"})
_PLACING = frozenset({"on", "in", "into", "through", "over", "across", "among", "under"})

# Surfaces no step model walks on: a step request that names one where the feet land ("footsteps
# on sand", "walking through puddles", "walking in mud") is warned about, the surface
# named, and the nearest step model plays. UCS files footsteps by who walks (FEETHmn), the surface
# only in a file's name, so no CatID names these. Mud is a source of its own (``ALIASES``), and
# dry leaves and mud have step models of their own; ice and dirt are the snow's and the gravel's;
# broken glass plays the glass's break.
UNMADE_SURFACES = frozenset({
    "sand", "sandy", "beach", "dune", "dunes",
    "carpet", "carpeted", "rug", "puddle", "puddles", "water", "shallows", "rubble", "debris", "plastic", "bog",
    "marsh", "swamp",
})

# The words of a surface named where feet land: the surfaces above, and what they are made into.
_SURFACE_WORDS = UNMADE_SURFACES | {"floor", "stairs", "steps"}
# Steps named as a noun: a surface beside one is where they land, "on" left out as a spotting
# list leaves it out ("fs carpet", "carpet footsteps"). Not a verb of walking: "running water".
_STEP_NOUNS = frozenset({"footsteps", "footstep", "steps", "step"})

# The shorthand sound editors type in a spotting list or a layer prompt, each only ever the one
# word ("fs gravel", "door cls"): the matchers read the word it stands for.
SHORTHAND: dict[str, str] = {"fs": "footsteps", "cls": "close", "opn": "open", "amb": "ambience", "hvy": "heavy"}
_SHORTHAND = re.compile(rf"\b({'|'.join(SHORTHAND)})\b", re.IGNORECASE)


def shorthand_spelled_out(text: str) -> str:
    """``text`` with the editors' shorthand written out ("fs gravel" -> "footsteps gravel")."""
    return _SHORTHAND.sub(lambda m: SHORTHAND[m.group(1).lower()], text)


# A spotting note's or a cue sheet's marks, which say where a sound goes and on which track, not
# what it is: a timecode, a reel or a cue number, and a leading label of the track or the task
# ("PFX:", "ADD hard FX:", "SFX needed -"). "PFX" is also an archived UCS category, and was read
# as a source no model makes. Labels that name the sound itself stay: "FS:" is footsteps,
# "walla:" a crowd, "BG:"/"AMB:" say a bed, which the bed words already read.
_TIMECODE = re.compile(r"\b(?:tc\W*)?\d{1,2}[:;.]\d{2}[:;.]\d{2}[:;.]\d{2}\b", re.IGNORECASE)
_CUE = re.compile(r"\b(?:reel|cue)\s*\d+[a-z]?\b\s*[:,-]?", re.IGNORECASE)
_TRACK_WORDS = frozenset({"fx", "sfx", "hfx", "pfx", "foley"})
_LABEL_WORDS = _TRACK_WORDS | {"add", "hard", "needed", "need", "missing", "spot"}
_LABEL = re.compile(r"^\W*((?:[a-z]+\s+){0,3}[a-z]+)\s*(?::|\s-+\s|\s\u2013\s)", re.IGNORECASE)
_OFFSCREEN = re.compile(r"\boff[\s-]screen\b", re.IGNORECASE)


def spotting_marks_removed(text: str) -> str:
    """``text`` without a spotting note's timecodes, reel and cue numbers and leading track or
    task label ("01:02:10:05 - door slam off-screen" -> "door slam offscreen";
    "ADD hard FX: gun cock" -> "gun cock")."""
    marked = _OFFSCREEN.sub("offscreen", _CUE.sub(" ", _TIMECODE.sub(" ", text)))
    label = _LABEL.match(marked)
    said = set(label.group(1).lower().split()) if label else set()
    if said <= _LABEL_WORDS and said & _TRACK_WORDS:  # "Hard: metal hit" is no label
        marked = marked[label.end():]
    return text if marked == text else re.sub(r"^[\s,;:-]+", "", marked)

_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def _walking_words() -> frozenset[str]:
    """The words that make a prompt a step request: those every step model requires."""
    return frozenset(w for m in CATALOG.values() if m.name.startswith("steps_") for w in m.requires)


@dataclass(frozen=True)
class Coverage:
    entry: ucs.UcsEntry
    status: Status
    model: SoundModel | None   # the model that renders it, or stands in for it


@dataclass(frozen=True)
class Mention:
    phrase: str                          # the words of the prompt that name it
    cat_ids: tuple[str, ...]             # empty for a sound no category tells apart (``UNMADE_SOUNDS``)
    heard_in: str = ""                   # the place it is heard in, when the prompt names a place, not it


@lru_cache(maxsize=1)
def _covered() -> dict[str, SoundModel]:
    found: dict[str, SoundModel] = {}
    for model in CATALOG.values():
        for cat_id in model.ucs:
            found.setdefault(cat_id, model)
    return found


def coverage_of(cat_id: str) -> Coverage:
    entry = ucs.lookup(cat_id) or ucs.UcsEntry(cat_id, "?", "?")
    if cat_id in _covered():
        return Coverage(entry, "model", _covered()[cat_id])
    if cat_id in FALLBACKS:
        return Coverage(entry, "fallback", CATALOG[FALLBACKS[cat_id]])
    return Coverage(entry, "none", None)


def coverage() -> list[Coverage]:
    """Every listed UCS CatID, in the list's order, with what the engine does for it."""
    return [coverage_of(cat_id) for cat_id in ucs.entries()]


def models_rendering(cat_ids: set[str]) -> list[SoundModel]:
    """Every model that renders one of ``cat_ids`` (several can: six surfaces of footsteps)."""
    return [model for model in CATALOG.values() if cat_ids.intersection(model.ucs)]


def by_category(table: list[Coverage]) -> dict[str, list[Coverage]]:
    grouped: dict[str, list[Coverage]] = {}
    for row in table:
        grouped.setdefault(row.entry.category, []).append(row)
    return grouped


def verb_stems(word: str) -> set[str]:
    """What a past tense or an "-ing" form was before its ending ("punched", "crumpled",
    "chopped", "skidding"): lists hold some forms of a verb, rarely all of them."""
    for ending in ("ed", "ing"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            stem = word[: -len(ending)]
            return {stem, stem + "e"} | ({stem[:-1]} if stem[-1] == stem[-2] else set())
    return set()


@lru_cache(maxsize=1)
def _inflected_aliases() -> dict[str, str]:
    """The one-word ``ALIASES`` keys by the verb they inflect ("cocking": cock), so that another
    form of the verb finds them ("cocked")."""
    return {stem: key for key in sorted(ALIASES) if " " not in key for stem in sorted(verb_stems(key))}


def _alias_of(phrase: str, single: bool) -> str | None:
    """The ``ALIASES`` key a phrase is written as: itself, its singular, a container named with
    "of" before its contents, (one word) the verb it inflects ("skidding": a skid) or another
    form of a verb listed ("cocked": cocking), or (several) the verb its last word inflects
    ("mouse clicking": a mouse click)."""
    if phrase in ALIASES:
        return phrase
    first, _sep, last = phrase.partition(" of ")
    if last and " " not in first + last and f"{last} {first}" in ALIASES:
        return f"{last} {first}"  # "a can of soda": a soda can
    if phrase.endswith("s") and phrase[:-1] in ALIASES:
        return phrase[:-1]
    if not single:
        head, _sep, verb = phrase.rpartition(" ")   # "mouse clicking": a mouse click
        return next((f"{head} {stem}" for stem in sorted(verb_stems(verb)) if f"{head} {stem}" in ALIASES), None)
    stems = sorted(verb_stems(phrase))
    return next((stem for stem in stems if stem in ALIASES), None) or next(
        (_inflected_aliases()[stem] for stem in stems if stem in _inflected_aliases()), None)


def written_cat_ids(text: str) -> list[str]:
    """UCS CatIDs written as such in a prompt ("GUNPis", "RAIN", a file-name style
    "DOORWood_Heavy Slam"), in the order written."""
    tokens = re.findall(r"\b[A-Z]{2,6}[A-Za-z]*\b", text.replace("_", " "))
    return list(dict.fromkeys(t for t in tokens if t in ucs.entries()))


# Treatments of a sound, which no model applies and the mix does: played backwards, slowed down
# or sped up, heard through a phone's or a laptop's small speaker. The sound itself plays and the
# treatment is named in the warning ("gunshot slowed down" played a plain shot, unsaid). What else
# moves or slows ("the truck reversed", "his heartbeat slowed down", "walks backwards") is no
# treatment: a prompt naming a vehicle, a walker or a body's rhythm says no treatment.
_TREATMENTS = re.compile(
    r"\b(?:played\s+)?(?:in\s+reverse|backwards?)\b|\breversed\b|\b(?:slowed|sped|speeded)[\s-]+(?:down|up)\b"
    r"|\bpitched[\s-]+(?:down|up)\b|\btime[\s-]*stretched\b|\b(?:half|double)[\s-]+speed\b"
    r"|\b(?:phone|telephone|laptop|computer|tv|radio|tinny|small|cheap|bluetooth)\s+speakers?\b|\bspeakerphone\b"
    r"|\b(?:over|through)\s+(?:the|a)\s+(?:phone|telephone|intercom|walkie\s+talkie)\b", re.IGNORECASE)
_MOVES_ITSELF = frozenset({"heart", "heartbeat", "heartbeats", "pulse", "breath", "breathing", "breaths"}) | _TYRED


def treatments(text: str) -> list[str]:
    """The treatments a prompt asks for that no model applies (``_TREATMENTS``), as written."""
    words = set(_WORD.findall(text.lower()))
    if words & (_MOVES_ITSELF | _walking_words()):
        return []
    return [" ".join(m.group(0).split()) for m in _TREATMENTS.finditer(text)]


def mentions(text: str) -> list[Mention]:
    """The sound sources a prompt names (longest phrase first, each word used once); also a
    CatID written as such ("GUNPis")."""
    found: list[Mention] = [Mention(cat_id, (cat_id,)) for cat_id in written_cat_ids(text)]
    words = _WORD.findall(text.lower().replace("-", " "))
    used = [False] * len(words)
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            if any(used[i : i + size]):
                continue
            phrase = " ".join(words[i : i + size])
            key = _alias_of(phrase, size == 1)
            if key in _ALSO_SURFACES and _PLACING.intersection(words[max(i - 2, 0) : i]):
                continue
            if key is not None:
                found.append(Mention(phrase, ALIASES[key]))
                used[i : i + size] = [True] * size
    named = {cat_id for mention in found for cat_id in mention.cat_ids}
    tyred = bool(_TYRED.intersection(words))
    found.extend(Mention(word, ("VEHSkid",) if tyred and word in _SCREECH else ()) for word, was_used in zip(words, used)
                 if not was_used and word in UNMADE_SOUNDS and not _POURED.get(word, set()).intersection(words)
                 and (UNMADE_SOUNDS[word] is _ANY_SOURCE or named.intersection(UNMADE_SOUNDS[word])))
    if _walking_words().intersection(words):
        found.extend(_surfaces(words, used))
    found.extend(Mention(word, ()) for word in _placed_unknown(words, used))
    found.extend(Mention(treatment, ()) for treatment in treatments(text))
    return found


# Something set down is heard as what it is, not as what it lands on: "a ring set on a table"
# is the ring's tiny clink, which the table's knock only stands in for. Where nothing knows the
# thing set down, it is named in the warning.
_PLACED_AFTER = frozenset({"set", "placed", "put", "laid", "dropped", "lowered"})   # "a ring set on ..."
_PLACES = frozenset({"sets", "setting", "places", "placing", "puts", "putting", "lays", "laying", "drops"})
_ONTO = frozenset({"on", "onto", "upon", "down"})
_NO_THING = frozenset({"it", "them", "this", "that", "something", "everything", "thing", "things", "object",
                       "objects", "item", "items", "down", "is", "are", "was", "were", "be", "he", "she", "they",
                       "we", "i", "you", "his", "her", "their", "my", "your", "its", "the", "a", "an", "gently",
                       "carefully", "quickly", "slowly", "back", "up", "again"})


@lru_cache(maxsize=1)
def _known_words() -> tuple[frozenset[str], tuple[tuple[frozenset[str], SoundModel], ...]]:
    """The words a source or a sound is known by: those of every model that needs nothing said,
    of the sources and of the sounds no model makes; and per model that needs a word said
    ("ring" is the phone's only beside a phone), (its words, the model)."""
    words = {w for m in CATALOG.values() if not (m.requires or m.needs_said()) for k in m.keywords for w in k.split()}
    words |= {w for key in ALIASES for w in key.split()} | set(UNMADE_SOUNDS) | UNMADE_SURFACES
    gated = tuple((frozenset(w for k in m.keywords for w in k.split()), m)
                  for m in CATALOG.values() if m.requires or m.needs_said())
    return frozenset(words), gated


def _placed_unknown(words: list[str], used: list[bool]) -> list[str]:
    """The things a prompt sets down on something that no model, source or sound knows."""
    always, gated = _known_words()
    said = set(words)
    known = always.union(*(listed for listed, model in gated if model.keywords_may_name(said)))
    found = []
    for i, word in enumerate(words):
        if word in _PLACED_AFTER and i > 0 and i + 1 < len(words) and words[i + 1] in _ONTO:
            at = i - 1                                            # "a ring set on a table"
        elif word in _PLACES:
            ends = [j for j in range(i + 2, min(i + 6, len(words))) if words[j] in _ONTO]
            if not ends:
                continue
            at = ends[0] - 1                                      # "she sets the ring on the table"
        else:
            continue
        if at >= 2 and words[at - 1] == "of":
            at -= 2                                               # "a bag of groceries set down": the bag
        thing = words[at]
        if (not used[at] and thing not in _NO_THING and thing not in known
                and not (thing.endswith("s") and thing[:-1] in known)):
            found.append(thing)
    return found


def _surfaces(words: list[str], used: list[bool]) -> list[Mention]:
    """Where a step request's feet land, when no step model walks there: from the placing word
    through the surface's words ("on the sand", "on a metal grate", "through puddles")."""
    found: list[Mention] = []
    i = 0
    while i < len(words):
        placed = [j for j in range(max(i - 3, 0), i) if words[j] in _PLACING]
        beside_steps = words[i - 1 : i] + words[i + 1 : i + 2]
        if words[i] in UNMADE_SURFACES and not used[i] and (placed or _STEP_NOUNS.intersection(beside_steps)):
            end = i + 1
            while end < len(words) and words[end] in _SURFACE_WORDS - _STEP_NOUNS:
                end += 1
            found.append(Mention(" ".join(words[placed[-1] if placed else i : end]), ()))
            i = end
            continue
        i += 1
    return found


def unrendered(text: str) -> list[Mention]:
    """Mentions of sources (and sounds) the engine has no model of its own for, or none that
    may play here (a skid nothing with tyres is said to make: a foot's, a sled's); and the sounds
    a model makes only beside its source (a tyre's screech), which the plan must play to drop."""
    said = set(_WORD.findall(text.lower()))
    return [m for m in mentions(text)
            if m.phrase in UNMADE_SOUNDS or not any(_made_here(c, said) for c in m.cat_ids)]


def _made_here(cat_id: str, said: set[str]) -> bool:
    return coverage_of(cat_id).status == "model" and any(
        not m.happens_to or bool(said.intersection(m.happens_to)) for m in models_rendering({cat_id}))


def fallback_model(mention: Mention) -> SoundModel | None:
    for cat_id in mention.cat_ids:
        cov = coverage_of(cat_id)
        if cov.status == "fallback":
            return cov.model
        if cat_id in UNSAID_FALLBACKS:
            return CATALOG[UNSAID_FALLBACKS[cat_id]]
    return None


# Where a model's source is not said (``SoundModel.happens_to``), what stands in: a skid with no
# tyre named is friction, as it was before the skid had a model; mud nobody walks in is the water's.
UNSAID_FALLBACKS: dict[str, str] = {"VEHSkid": "scrape", "LIQMisc": "water", "BIRDPrey": "birds"}
