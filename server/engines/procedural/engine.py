"""The procedural engine: synthesized Foley driven by the picture's motion and the notes.

For one layer: the matcher turns the notes into a ``LayerPlan`` (a one-shot model for events, a
texture for a continuous layer or for what slides before it hits, physical parameters);
``timing`` finds when events fire and the envelope the texture follows; each event gets its own random stream derived from (seed, layer, event time),
so one seed always gives the same take and editing one event leaves the other hits unchanged.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from foleyline import config
from foleyline.errors import Cancelled, FoleylineError, InvalidInput
from foleyline.notes import Layer, LayerKind
from foleyline.server.engines.base import (
    Engine,
    EngineCapabilities,
    ProgressFn,
    SamplingSettings,
    ShotInput,
)
from foleyline.server.media.analysis import analyze_motion
from foleyline.server.media.frames import ANALYSIS_STREAM, MotionAnalysis, StreamSpec
from foleyline.server.media.roi import track_region

from . import timing, vocabulary
from .dsp import SAMPLE_RATE, db_to_gain, place, rms, rng_for, room
from .matcher import EmbeddingScorer, LayerPlan, Matcher, layer_text
from .synths import SoundModel
from .sfx_library import SfxLibrary

log = logging.getLogger(__name__)

VERSION = "1.0"
# Peak the limiter lets through: Foley stems leave headroom for the mix.
CEILING = 0.89  # about -1 dBFS
BG_FLOOR = 0.6
MAX_WINDOW_S = 120.0
ROOM_AMOUNT = 0.35  # early reflections under close hits; more as the source moves away
# Plans are matched here so that a worker waiting for one still sees a cancel (see _plan).
_PLANNER = ThreadPoolExecutor(2, thread_name_prefix="foleyline-plan")


class ProceduralEngine(Engine):
    """CPU, no weights, deterministic per seed. See the module docstring."""

    # Rendering reads shared state only; the text model and the library index lock themselves.
    thread_safe = True

    def __init__(
        self,
        *,
        matcher: Matcher | None = None,
        sfx_library: SfxLibrary | str | Path | None = None,
        index_path: str | Path | None = None,
    ) -> None:
        """``sfx_library``: the editor's sound library (a folder, or an indexed ``SfxLibrary``);
        default: ``foleyline.config.sfx_library()`` (FOLEYLINE_SFX_LIBRARY, else the config
        file). ``index_path``: where its index lives (default: the data folder's). Event
        layers whose prompt matches files there use those files instead of synthesis."""
        self._matcher = matcher or Matcher()
        self._library_source = sfx_library
        self._index_path = index_path
        self._library: SfxLibrary | None = sfx_library if isinstance(sfx_library, SfxLibrary) else None
        self._library_checked = isinstance(sfx_library, SfxLibrary)
        self._library_problem = ""
        self._lock = threading.Lock()

    def capabilities(self) -> EngineCapabilities:
        return EngineCapabilities(
            name="procedural",
            model="foleyline-synth",
            version=VERSION,
            sample_rate=SAMPLE_RATE,
            channels=1,
            # Any length works; windows bound the memory of very long shots (2 min = 23 MB/array).
            max_window_seconds=MAX_WINDOW_S,
            supports_text=True,
            supports_cot=False,
            supports_roi=True,
            supports_edit=False,
            supports_negative_prompt=True,
            device="cpu",
        )

    def required_streams(self) -> Sequence[StreamSpec]:
        return (ANALYSIS_STREAM,)

    def load(self) -> None:
        """Warm up what is slow the first time: the text matcher and the library index."""
        _ = self._matcher.scorer
        self.sfx_library()

    def plan(self, layer: Layer) -> LayerPlan:
        return self._matcher.plan(layer)

    def sfx_library(self) -> SfxLibrary | None:
        with self._lock:
            if not self._library_checked:
                self._library_checked = True
                try:
                    source = self._library_source or config.sfx_library()
                    if source:
                        scorer = self._matcher.scorer
                        embedder = scorer if isinstance(scorer, EmbeddingScorer) else None
                        self._library = SfxLibrary(source, embedder=embedder, index_path=self._index_path)
                        log.info("sound library %s: %d files", self._library.root, len(self._library))
                except (FoleylineError, OSError, sqlite3.Error) as exc:
                    # A missing library, or its index failing (a full disk), must not stop the
                    # takes: synthesize, and say why.
                    self._library_problem = f"sound library not used: {exc}"
                    log.warning(self._library_problem)
            library = self._library
        if library is not None:
            library.refresh()  # files the editor added since (at most once a minute)
        return library

    def generate(
        self,
        shot: ShotInput,
        layer: Layer,
        seeds: Sequence[int],
        settings: SamplingSettings,
        *,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
    ) -> list[np.ndarray]:
        if not np.isfinite(shot.duration) or shot.duration < 0:
            raise InvalidInput(f"shot {shot.shot_id!r} has duration {shot.duration}; it must be a length in seconds >= 0")
        n = int(round(shot.duration * SAMPLE_RATE))
        if n == 0:
            return [np.zeros((1, 0), dtype=np.float32) for _ in seeds]
        plan = self._plan(layer, cancel)
        analysis = self._analysis_for(shot, layer)
        takes: list[np.ndarray] = []
        for i, seed in enumerate(seeds):
            if cancel is not None and cancel.is_set():
                raise Cancelled(f"cancelled while rendering layer {layer.label!r}")
            if layer.mute:
                audio = np.zeros(n, dtype=np.float32)
            else:
                audio = self.render_layer(shot, layer, plan, analysis, int(seed), n)
            takes.append(audio[None, :])
            if progress is not None:
                progress((i + 1) / len(seeds))
        return takes

    def _plan(self, layer: Layer, cancel: threading.Event | None) -> LayerPlan:
        """The matcher's plan. Its first text in no cache loads the embedding model (seconds, and
        not interruptible), so the plan is waited for in short steps: a cancel meanwhile is
        answered at once, and the load finishes behind it for the next job."""
        if cancel is None:
            return self._matcher.plan(layer)
        future = _PLANNER.submit(self._matcher.plan, layer)
        while True:
            try:
                return future.result(timeout=0.05)
            except TimeoutError:
                if cancel.is_set():
                    raise Cancelled(f"cancelled while matching layer {layer.label!r}") from None

    def _analysis_for(self, shot: ShotInput, layer: Layer) -> MotionAnalysis | None:
        """The shot's analysis, or its layer's region's. The onset strengths already weigh
        whether each stroke was heading into a contact (``media.analysis``)."""
        analysis = shot.analysis
        stream = shot.streams.get(ANALYSIS_STREAM.name)
        if stream is None or len(stream) < 3:
            return analysis
        if layer.region is not None:
            analysis = self._region_analysis(shot, layer, stream) or analysis
        return analysis

    @staticmethod
    def _region_analysis(shot: ShotInput, layer: Layer, stream) -> MotionAnalysis | None:
        """Motion inside the layer's region of interest, tracked through the shot."""
        assert layer.region is not None
        try:
            tracked = track_region(stream, layer.region, offset=shot.offset)
            return analyze_motion(stream, boxes=tracked.boxes)
        except FoleylineError as exc:
            # A region that cannot be tracked still bounds the motion where it was drawn.
            log.warning("region of layer %r not tracked (%s); using the box as drawn", layer.label, exc)
            return analyze_motion(stream, region=layer.region)

    def layer_warnings(self, layer: Layer) -> list[str]:
        """The matcher's warning when no model makes what the layer asks for (see
        ``matcher.substitution_warning``), unless a file of the editor's library answers it."""
        if layer.mute:
            return []
        plan = self._matcher.plan(layer)
        answered = self._library_matches(layer, plan) or self._library_bed(layer, plan)
        found = [plan.warning] if plan.warning and not answered else []
        if self._library_problem and plan.oneshot is not None:
            found.append(self._library_problem)
        return found

    def _library_matches(self, layer: Layer, plan: LayerPlan) -> list:
        """Library files for an event layer, best first (a library file wins over synthesis).
        Files filed under the UCS categories the prompt names, or its model renders, rank first.
        A layer of hits whose plan is a stand-in texture ("horse gallop" as an engine, "zipper"
        as cloth: the plan warns) asks the library too: the editor's file is what was asked."""
        stand_in = plan.oneshot is None and bool(plan.warning) and layer.kind is not LayerKind.BG
        library = self.sfx_library() if plan.oneshot is not None or stand_in else None
        if library is None:
            return []
        text = layer_text(layer)
        categories = {cat_id for mention in vocabulary.mentions(text) for cat_id in mention.cat_ids}
        if plan.matched_by not in ("default", "fallback") and plan.oneshot is not None:
            categories.update(plan.oneshot.ucs)
        return library.find(text, negative=layer.negative_prompt, categories=categories)

    def _library_bed(self, layer: Layer, plan: LayerPlan) -> list:
        """The library file for a texture layer (an ambience, rain, a fire), best first: it loops
        under the shot in place of the engine's texture. Not for a layer of hits on a stand-in
        texture (``_library_matches`` places files at its hits)."""
        if plan.oneshot is not None or plan.texture is None or plan.texture_gain <= 0:
            return []
        if plan.warning and layer.kind is not LayerKind.BG:
            return []
        library = self.sfx_library()
        if library is None:
            return []
        text = layer_text(layer)
        categories = {cat_id for mention in vocabulary.mentions(text) for cat_id in mention.cat_ids}
        if plan.matched_by not in ("default", "fallback"):
            categories.update(plan.texture.ucs)
        categories.update(plan.filed_under)
        return library.find(text, negative=layer.negative_prompt, categories=categories, limit=1)

    def _fires(self, shot: ShotInput, layer: Layer, plan: LayerPlan, analysis: MotionAnalysis | None, seed: int):
        if plan.scattered:
            fires = timing.scattered_times(shot, layer, rng_for(seed, layer.label, "scatter"))
        else:
            fires = timing.fire_times(shot, layer, analysis, plan.oneshot)
        # "three knocks": the count, where the editor placed no events of their own (theirs decide)
        return fires if plan.hits is None or layer.events else timing.strongest(fires, plan.hits)

    def render_layer(
        self, shot: ShotInput, layer: Layer, plan: LayerPlan, analysis: MotionAnalysis | None, seed: int, n: int
    ) -> np.ndarray:
        out = np.zeros(n, dtype=np.float32)
        matches = self._library_matches(layer, plan)
        bed = [] if matches else self._library_bed(layer, plan)
        if matches:
            library = self.sfx_library()
            assert library is not None
            fires = self._fires(shot, layer, plan, analysis, seed)
            out += library.render_events(rng_for(seed, layer.label, "library"), [entry for entry, _ in matches[:4]], fires, n)
        elif plan.oneshot is not None:
            self._render_hits(out, shot, layer, plan, self._fires(shot, layer, plan, analysis, seed), seed)
            # The hits get the stage's room (a library file already carries its own).
            room(out, ROOM_AMOUNT + (1.0 - ROOM_AMOUNT) * plan.params.distance, out=out)
        else:
            # A texture layer's short events that name a sound ("a distant door slams") fire it.
            named = [
                (e, model)
                for e in layer.events
                if e.end - e.start < timing.MIN_SPAN and e.description
                for model in [self._matcher.best_oneshot(e.description, layer.negative_prompt)]
                if model is not None
            ]
            for event, model in named:
                fire = timing.FireTime(event.start - shot.offset, 0.8, event.description)
                self._render_hits(out, shot, layer, dataclasses.replace(plan, oneshot=model), [fire], seed)
        if plan.texture is not None and plan.texture_gain > 0 and not (matches and plan.oneshot is None):
            # Ambience is there whether or not anything moves; motion only lifts it a little.
            env = timing.envelope(shot, layer, analysis, floor=BG_FLOOR if layer.kind is LayerKind.BG else 0.0)
            rng = rng_for(seed, layer.label, plan.texture.name, "texture")
            texture = plan.texture.render(rng, plan.texture_params or plan.params, env, n)
            texture *= plan.texture_gain  # in place: no layer-long temporary
            _lay_under(texture, plan, env, n, seed, layer.label)
            if bed:
                # The editor's file, at the level the engine would have given the layer.
                level = rms(texture)
                library = self.sfx_library()
                assert library is not None
                texture = library.render_bed(rng_for(seed, layer.label, "library bed"), bed[0][0], env, n, level)
            out += texture
        out *= db_to_gain(layer.gain_db)
        return _limit(out)

    def _render_hits(
        self, out: np.ndarray, shot: ShotInput, layer: Layer, plan: LayerPlan, fires: list[timing.FireTime], seed: int
    ) -> None:
        for fire in fires:
            model = self._model_for_event(plan, fire.description, layer.negative_prompt)
            # Keyed by shot time in ms, not index: adding an event keeps the other hits' sound,
            # and a hit in the overlap of two windows renders the same in both.
            rng = rng_for(seed, layer.label, model.name, int(round((fire.time + shot.offset) * 1000)))
            strength = float(np.clip(fire.strength, 0.1, 1.0))
            sound = model.render(rng, plan.params, strength)
            gain = float(rng.uniform(0.85, 1.0)) * timing.certainty_gain(strength)
            place(out, sound, fire.time - model.lead_in, gain=gain)

    def _model_for_event(self, plan: LayerPlan, description: str, negative: str) -> SoundModel:
        """An event whose text names another sound ("a glass clinks") uses that model."""
        assert plan.oneshot is not None
        if not description:
            return plan.oneshot
        return self._matcher.best_oneshot(description, negative) or plan.oneshot


def _lay_under(lead: np.ndarray, plan: LayerPlan, env: np.ndarray, n: int, seed: int, label: str) -> None:
    """A place's other beds, each at its level under the lead bed (a market's traffic 14 dB under
    its crowd), as a sound editor sets them: the models' own levels differ by 20 dB (a room tone
    against birdsong). Laid beside a library bed too, whose level is the whole place's."""
    lead_level = rms(lead)
    for under in plan.under:
        bed = under.model.render(rng_for(seed, label, under.model.name, "texture"), under.params, env, n)
        level = rms(bed)
        if level > 0:
            lead += bed * np.float32(under.gain * lead_level / level)


def _limit(x: np.ndarray) -> np.ndarray:
    """Soft-clip only what exceeds the ceiling, so quiet material is untouched."""
    peak = max(float(x.max()), -float(x.min())) if x.size else 0.0  # no layer-long |x| temporary
    if peak <= CEILING:
        return x.astype(np.float32, copy=False)
    over = np.abs(x) > CEILING * 0.8
    knee = CEILING * 0.8
    y = x.copy()
    s = np.sign(x[over])
    excess = np.abs(x[over]) - knee
    y[over] = s * (knee + (CEILING - knee) * np.tanh(excess / (CEILING - knee)))
    return y.astype(np.float32, copy=False)
