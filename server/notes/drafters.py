"""The notes ladder's models: which drafting models are installed, which one each rung uses on
this machine, and why the others are not used.

The rungs, best first: a vision-language model writes the notes from the frames; else CLIP
labels the frames zero-shot and the motion analysis' layers are named after what it saw; else
the motion analysis alone. ``plan`` decides for a writer ("auto", "vlm", "clip", "analysis"):

- a VLM in "auto" only on a GPU with the memory it needs (on a CPU a shot takes minutes, so it
  runs there only when asked for: the writer "vlm", or ``FOLEYLINE_VLM_DEVICE=cpu`` for a
  server whose every draft should use it); the largest that fits, or on a CPU the smallest;
- CLIP wherever one is installed: on a GPU the largest (MMAudio's DFN5B when its features are
  pulled), on a CPU the smallest;
- a folder named by ``FOLEYLINE_VLM_DIR`` / ``FOLEYLINE_CLIP_DIR`` comes before pulled ones.

What is installed comes from the drafter manifest (``server/engines/manifest.py``) and the
model folder; nothing here loads a model.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from foleyline import config
from foleyline.errors import Unavailable
from foleyline.server.engines.manifest import DrafterManifest, drafter_manifests, load_target
from foleyline.server.models.packages import package_dir
from foleyline.server.notes.devices import Hardware, hardware

__all__ = ["CLIP_ENV", "Drafter", "Plan", "RUNG_ORDER", "SUPPORTED_VLM_TYPES", "VLM_DEVICE_ENV", "VLM_ENV", "best",
           "describe", "installed", "load_clip", "plan", "pull_hint"]

log = logging.getLogger(__name__)

VLM_ENV = config.BY_KEY["vlm_dir"].env
CLIP_ENV = config.BY_KEY["clip_dir"].env
VLM_DEVICE_ENV = config.BY_KEY["vlm_device"].env   # "cpu": the VLM drafts on the CPU as if asked for each time
SUPPORTED_VLM_TYPES = ("qwen2_5_vl", "qwen2_vl", "qwen3_vl")
_NOTES = "foleyline.server.notes"
RUNG_ORDER = {"vlm": 0, "clip": 1, "analysis": 2}   # the ladder, best first


@dataclass(frozen=True)
class Drafter:
    """An installed drafting model."""

    name: str
    kind: str                  # "vlm" or "clip"
    folder: Path
    loader: str                # "module:attribute"
    params_b: float = 0.0      # 0: unknown (a folder of the user's)
    gpu_memory_gb: float = 0.0
    licence: str = ""
    origin: str = "models pull"

    @property
    def label(self) -> str:
        return f"{self.name} ({self.origin})" if self.origin != "models pull" else self.name


def _model_type(folder: Path) -> str | None:
    try:
        data = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("model_type") if isinstance(data, dict) else None


def _from_env(kind: str) -> Drafter | None:
    name = VLM_ENV if kind == "vlm" else CLIP_ENV
    value = config.value("vlm_dir" if kind == "vlm" else "clip_dir")
    if not value:
        return None
    folder = Path(value)
    model_type = _model_type(folder)
    if kind == "vlm" and model_type in SUPPORTED_VLM_TYPES:
        return Drafter(folder.name, "vlm", folder, f"{_NOTES}.draft_vlm:load_vlm", origin=f"${name}")
    if kind == "clip" and model_type == "clip":
        return Drafter(folder.name, "clip", folder, f"{_NOTES}.clip_models:HfClip", origin=f"${name}")
    if kind == "clip" and (folder / "open_clip_pytorch_model.bin").is_file():
        return Drafter(folder.name, "clip", folder, f"{_NOTES}.clip_models:Dfn5bClip", origin=f"${name}")
    wanted = (f"config.json with model_type one of {', '.join(SUPPORTED_VLM_TYPES)}" if kind == "vlm"
              else "a transformers CLIP (config.json with model_type clip) or an open_clip checkpoint")
    log.warning("%s=%s holds no usable model (%s); it is ignored", name, value, wanted)
    return None


def _weights_complete(folder: Path) -> bool:
    """A transformers folder's weights: one file, or an index and every shard it names."""
    if (folder / "model.safetensors").is_file() or (folder / "pytorch_model.bin").is_file():
        return True
    try:
        shards = set(json.loads((folder / "model.safetensors.index.json").read_text(encoding="utf-8"))["weight_map"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    return bool(shards) and all((folder / name).is_file() for name in shards)


def _is_installed(manifest: DrafterManifest, root: Path) -> bool:
    folder = package_dir(manifest.package, root)
    if manifest.required:
        return all((folder / name).is_file() for name in manifest.required)
    setup = ("config.json", "tokenizer.json", "preprocessor_config.json")
    return all((folder / name).is_file() for name in setup) and _weights_complete(folder)


def installed(kind: str, models_root: Path | None = None) -> list[Drafter]:
    """The installed drafting models of ``kind``: the environment's folder first, then the
    manifest's in its order."""
    root = models_root or config.models_dir()
    found = [d for d in (_from_env(kind),) if d is not None]
    for manifest in drafter_manifests().values():
        if manifest.kind == kind and _is_installed(manifest, root):
            found.append(Drafter(manifest.name, kind, package_dir(manifest.package, root), manifest.loader,
                                 manifest.params_b, manifest.gpu_memory_gb, manifest.weights_licence,
                                 "models pull" if manifest.model_files else manifest.package))
    return found


def _ranked(found: list[Drafter], hw: Hardware) -> tuple[list[Drafter], list[Drafter]]:
    """(usable best first, too large for the GPU's free memory)."""
    own = [d for d in found if not d.params_b]        # the user's folder: always first, never measured
    known = [d for d in found if d.params_b]
    if not hw.gpu:
        return own + sorted(known, key=lambda d: d.params_b), []
    fits = [d for d in known if d.gpu_memory_gb <= hw.gpu_free_gb]
    return own + sorted(fits, key=lambda d: -d.params_b), [d for d in known if d not in fits]


def best(kind: str, hw: Hardware | None = None, models_root: Path | None = None,
         found: list[Drafter] | None = None) -> Drafter | None:
    """The installed model of ``kind`` this machine runs best (ignoring "auto"'s CPU rule).
    ``found``: ``installed(kind, models_root)``, when looked up already."""
    found = installed(kind, models_root) if found is None else found
    if not found:
        return None  # nothing to place: no reason to start torch to ask about the GPU
    usable, too_big = _ranked(found, hw if hw is not None else hardware())
    ordered = usable or sorted(too_big, key=lambda d: d.params_b)
    return ordered[0] if ordered else None


def pull_hint(kind: str) -> str:
    """The command that installs the smallest model of ``kind``, with its licence."""
    candidates = sorted((m for m in drafter_manifests().values() if m.kind == kind and m.model_files),
                        key=lambda m: m.params_b)
    if not candidates:
        return ""
    smallest = candidates[0]
    also = "; MMAudio's CLIP is used too once `mmaudio-features` is pulled" if kind == "clip" else ""
    return f"`foleyline models pull {smallest.name} --accept-licence` ({smallest.weights_licence}){also}"


@dataclass(frozen=True)
class Plan:
    """What drafting will use: a VLM and a CLIP (each None when its rung is skipped), and why
    a better rung is not used."""

    writer: str
    vlm: Drafter | None = None
    clip: Drafter | None = None
    cpu_vlm: bool = False                            # the VLM was asked for and runs on the CPU
    # (rung, why it is not used and what would make it so): rung "vlm" or "clip"
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _vlm_on_cpu_asked() -> bool:
    return str(config.value("vlm_device") or "").strip().lower() == "cpu"


def _vlm_rung(writer: str, hw: Hardware, root: Path | None, found: list[Drafter]
              ) -> tuple[Drafter | None, list[tuple[str, str]]]:
    on_cpu_asked = _vlm_on_cpu_asked()
    if on_cpu_asked:
        hw = Hardware(False)
    if not found:
        message = f"no VLM is installed: pull one for full reasoning, e.g. {pull_hint('vlm')}"
        if writer == "vlm":
            raise Unavailable(f"cannot draft notes with the VLM: {message}")
        return None, [("vlm", message)]
    usable, too_big = _ranked(found, hw)
    if writer == "vlm" or on_cpu_asked:
        return best("vlm", hw, root, found), []
    if not hw.gpu:
        return None, [("vlm", f"VLM {found[0].label} is installed but not used on a CPU (a shot takes minutes "
                               f"there); ask for it with --writer vlm (or {VLM_DEVICE_ENV}=cpu for every draft), "
                               "or run the server on a GPU")]
    if not usable:
        need = min(too_big, key=lambda d: d.gpu_memory_gb)
        return None, [("vlm", f"VLM {need.label} needs about {need.gpu_memory_gb:g} GB of GPU memory and "
                               f"{hw.gpu_free_gb:.1f} GB is free")]
    return usable[0], []


def plan(writer: str = "auto", hw: Hardware | None = None, models_root: Path | None = None) -> Plan:
    """The rungs ``writer`` will use on ``hw`` (default: this machine). "vlm" and "clip" raise
    ``Unavailable`` with the pull command when their model is not installed."""
    if writer == "analysis":
        return Plan(writer)
    # The models' folders looked through once per plan (each look is a few file checks).
    vlms, clips = installed("vlm", models_root), installed("clip", models_root)
    if hw is None and not (vlms or clips):
        # No drafting model here: asking torch about the GPU would cost every drafted shot
        # seconds of import and 150 MB for nothing.
        hw = Hardware(False)
    hw = hw if hw is not None else hardware()
    skipped: list[tuple[str, str]] = []
    vlm = None
    if writer in ("auto", "vlm"):
        vlm, skipped = _vlm_rung(writer, hw, models_root, vlms)
    clip = best("clip", hw, models_root, clips)
    if clip is None:
        message = f"no CLIP is installed for zero-shot labels: {pull_hint('clip')}"
        if writer == "clip":
            raise Unavailable(f"cannot label the frames: {message}")
        skipped.append(("clip", message))
    return Plan(writer, vlm, clip, cpu_vlm=vlm is not None and (not hw.gpu or _vlm_on_cpu_asked()), skipped=skipped)


def describe(hw: Hardware | None = None, models_root: Path | None = None) -> tuple[str, list[str]]:
    """(which rung drafts notes here by default and with what, [why not better; what is installed])."""
    hw = hw if hw is not None else hardware()
    chosen = plan("auto", hw, models_root)
    where = f"on the GPU ({hw.gpu_name or 'cuda'})" if hw.gpu else "on the CPU"
    if chosen.vlm is not None:
        headline = f"VLM {chosen.vlm.label} {where}, writing the notes from the frames"
    elif chosen.clip is not None:
        headline = f"CLIP {chosen.clip.label} {where}: zero-shot labels naming the motion analysis' layers"
    else:
        headline = "the motion analysis alone: layers named by the kind of motion, not by what is seen"
    rung = "vlm" if chosen.vlm else "clip" if chosen.clip else "analysis"
    details = [message for better, message in chosen.skipped if RUNG_ORDER[better] < RUNG_ORDER[rung]]
    for kind in ("vlm", "clip"):
        found = installed(kind, models_root)
        if found:
            details.append(f"installed {kind.upper()}: " + ", ".join(
                f"{d.label}" + (f" [{d.licence}]" if d.licence else "") for d in found))
    return headline, details


_EMBEDDERS: dict[tuple[str, str], object] = {}
_LOCK = threading.Lock()


def load_clip(drafter: Drafter):  # -> zero_shot.Embedder
    """The CLIP model of ``drafter``, loaded once per process."""
    key = (str(drafter.folder.resolve()), drafter.loader)
    with _LOCK:
        if key not in _EMBEDDERS:
            _EMBEDDERS[key] = load_target(drafter.loader)(drafter.folder)
        return _EMBEDDERS[key]
