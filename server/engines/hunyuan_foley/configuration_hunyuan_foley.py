"""HunyuanVideo-Foley hyperparameters: the released XXL and XL networks as named presets, and
the reader of the reference's own config form (``model_config.model_kwargs`` of its yaml files,
as the fixture configs carry it).

Example::

    >>> cfg = HunyuanFoleyConfig.preset("xl")
    >>> cfg.hidden_size, cfg.num_heads, cfg.head_dim, cfg.depth_triple_blocks, cfg.depth_single_blocks
    (1408, 11, 128, 12, 24)
    >>> cfg.single_ffn_hidden, cfg.modulation_widths
    (3840, (12672, 8448, 2816))
    >>> SequenceLengths.for_seconds(8.0)
    SequenceLengths(latent=400, clip=64, sync=192)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from foleyline.errors import InvalidInput
from foleyline.server.engines.mmdit.layers import ffn_hidden_dim

__all__ = ["PRESETS", "HunyuanFoleyConfig", "SequenceLengths"]

# Feature rates of the conditioning streams (the reference's feature_utils and constants).
LATENT_RATE = 50          # audio latent frames per second (48 kHz / hop 960)
CLIP_FPS = 8              # SigLIP2 frames per second
SYNC_FPS = 25             # Synchformer input frames per second
SYNC_SEGMENT = 16         # frames per Synchformer window
SYNC_STEP = 8             # hop between windows
SYNC_TOKENS_PER_SEGMENT = 8
MAX_SECONDS = 15.0        # the reference reads no frame after 15 s


@dataclass(frozen=True)
class SequenceLengths:
    """Token counts of each stream for a clip (N, Nv, Ns in FIXTURES.md)."""

    latent: int
    clip: int
    sync: int

    @classmethod
    def for_sync_frames(cls, frames_25fps: int) -> SequenceLengths:
        """The reference ties everything to the 25-fps frame count T: N = 2T (50/25), the
        SigLIP2 frames are those at 8 fps inside T/25 s, and each 16-frame window (hop 8) gives
        8 sync tokens."""
        if frames_25fps < SYNC_SEGMENT:
            raise InvalidInput(f"a clip needs at least {SYNC_SEGMENT} frames at {SYNC_FPS} fps, got {frames_25fps}")
        windows = (frames_25fps - SYNC_SEGMENT) // SYNC_STEP + 1
        clip = -(-frames_25fps * CLIP_FPS // SYNC_FPS)  # frames at k/8 s for k/8 < T/25
        return cls(latent=frames_25fps * LATENT_RATE // SYNC_FPS, clip=clip, sync=windows * SYNC_TOKENS_PER_SEGMENT)

    @classmethod
    def for_seconds(cls, seconds: float) -> SequenceLengths:
        return cls.for_sync_frames(round(seconds * SYNC_FPS))


@dataclass(frozen=True)
class HunyuanFoleyConfig:
    """Every constructor value of the network that changes its shape or its arithmetic.

    Only the code path of the released configurations is built (interleaved audio/visual
    RoPE, sync features added to the audio tokens, no sync modulation, no attention mask,
    patch size 1, linear condition projection); the reader rejects the training-time variants
    with a message naming the flag.
    """

    name: str
    hidden_size: int
    num_heads: int
    depth_triple_blocks: int
    depth_single_blocks: int
    mlp_ratio: float = 4.0
    mlp_act_type: str = "gelu_tanh"
    qkv_bias: bool = True
    qk_norm: bool = True
    interleaved_audio_visual_rope: bool = True
    clip_dim: int = 768              # SigLIP2 feature width
    sync_feat_dim: int = 768         # Synchformer feature width
    condition_dim: int = 768         # CLAP hidden width
    audio_vae_latent_dim: int = 128
    sync_in_ksz: int = 1
    rope_theta: float = 10000.0
    text_length: int = 77            # CLAP tokens kept
    clip_length: int = 64            # default lengths of the learned empty features
    sync_length: int = 192

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads

    @property
    def triple_mlp_hidden(self) -> int:
        return int(self.hidden_size * self.mlp_ratio)

    @property
    def single_ffn_hidden(self) -> int:
        """The gated conv-FFN's width in the single blocks (and in the sync projection)."""
        return ffn_hidden_dim(int(self.hidden_size * self.mlp_ratio))

    @property
    def modulation_widths(self) -> tuple[int, int, int]:
        """adaLN output widths: triple (9H), single (6H), final (2H)."""
        return 9 * self.hidden_size, 6 * self.hidden_size, 2 * self.hidden_size

    def validate(self) -> None:
        if self.hidden_size % self.num_heads or self.head_dim % 2:
            raise InvalidInput(f"hidden_size {self.hidden_size} must split into {self.num_heads} heads of even width")
        if self.depth_triple_blocks < 1 or self.depth_single_blocks < 0:
            raise InvalidInput("the network needs at least one triple-stream block (the sync features enter there)")
        if self.mlp_act_type not in _GELU_FORMS:
            raise InvalidInput(f"mlp_act_type {self.mlp_act_type!r} is not one of {', '.join(_GELU_FORMS)}")
        if self.sync_in_ksz not in (1, 3):
            raise InvalidInput(f"sync_in_ksz must be 1 or 3, got {self.sync_in_ksz}")

    @property
    def gelu_approximate(self) -> str:
        return _GELU_FORMS[self.mlp_act_type]

    @classmethod
    def preset(cls, name: str) -> HunyuanFoleyConfig:
        try:
            return PRESETS[name]
        except KeyError:
            raise InvalidInput(f"unknown HunyuanVideo-Foley size {name!r}; choose one of {', '.join(PRESETS)}") from None

    @classmethod
    def from_reference(cls, config: Mapping[str, object], *, name: str | None = None) -> HunyuanFoleyConfig:
        """From the reference's config: the yaml's dict (``model_config.model_kwargs``), a fixture's
        ``constructor_model_config``, or the ``model_kwargs`` mapping itself. Values the
        constructor defaults with ``.get()`` take the same defaults here."""
        kwargs: object = config
        for key in ("constructor_model_config", "model_config", "model_kwargs"):
            if isinstance(kwargs, Mapping) and isinstance(kwargs.get(key), Mapping):
                kwargs = kwargs[key]
        if not isinstance(kwargs, Mapping) or "hidden_size" not in kwargs:
            raise InvalidInput("not a HunyuanVideo-Foley config: expected model_config.model_kwargs with hidden_size")
        _check_code_path(kwargs)
        model_name = name or str(_get(config, "model_config", "model_name") or "custom")
        try:
            cfg = cls(
                name=model_name,
                hidden_size=int(kwargs["hidden_size"]),
                num_heads=int(kwargs.get("num_heads", 24)),
                depth_triple_blocks=int(kwargs.get("depth_triple_blocks", 19)),
                depth_single_blocks=int(kwargs.get("depth_single_blocks", 38)),
                mlp_ratio=float(kwargs.get("mlp_ratio", 4.0)),
                mlp_act_type=str(kwargs.get("mlp_act_type", "gelu_tanh")),
                qkv_bias=bool(kwargs.get("qkv_bias", True)),
                qk_norm=bool(kwargs.get("qk_norm", True)),
                interleaved_audio_visual_rope=bool(kwargs.get("interleaved_audio_visual_rope", False)),
                clip_dim=int(kwargs.get("clip_dim", 768)),
                sync_feat_dim=int(kwargs.get("sync_feat_dim", 768)),
                condition_dim=int(kwargs["condition_dim"]),
                audio_vae_latent_dim=int(kwargs.get("audio_vae_latent_dim", 128)),
                sync_in_ksz=int(kwargs.get("sync_in_ksz", 1)),
                rope_theta=float(kwargs.get("rope_theta", 10000)),
                text_length=int(kwargs.get("text_length", 77)),
                clip_length=int(kwargs.get("clip_length", 64)),
                sync_length=int(kwargs.get("sync_length", 192)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(f"HunyuanVideo-Foley config value missing or malformed: {exc}") from None
        cfg.validate()
        return cfg

    def to_json(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_GELU_FORMS = {"gelu_tanh": "tanh", "gelu": "none"}

# Flags whose other values select code paths the released networks never take.
_RELEASE_FLAGS: dict[str, object] = {
    "sync_modulation": False,
    "add_sync_feat_to_audio": True,
    "use_attention_mask": False,
    "patch_size": 1,
    "condition_projection": "linear",
    "rope_dim_list": None,
    "qk_norm_type": "rms",
}
_DEFAULTS = {"sync_modulation": False, "add_sync_feat_to_audio": False, "use_attention_mask": False,
             "patch_size": 1, "condition_projection": "linear", "rope_dim_list": None, "qk_norm_type": "rms"}


def _check_code_path(kwargs: Mapping[str, object]) -> None:
    for flag, wanted in _RELEASE_FLAGS.items():
        value = kwargs.get(flag, _DEFAULTS[flag])
        if value != wanted:
            raise InvalidInput(
                f"HunyuanVideo-Foley config has {flag}={value!r}; only the released code path "
                f"({flag}={wanted!r}) is implemented"
            )
    if "condition_dim" not in kwargs:
        raise InvalidInput("HunyuanVideo-Foley config lacks condition_dim (the CLAP feature width)")


def _get(config: Mapping[str, object], *path: str) -> object:
    node: object = config.get("constructor_model_config", config)
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


# The released yamls (configs/hunyuanvideo-foley-xxl.yaml, -xl.yaml): only depth, width and
# heads differ. "tiny" is the shape of the shared parity fixture (random weights, for tests and
# benchmarks of the code path; its parity run reads the fixture's own config, not this).
PRESETS: dict[str, HunyuanFoleyConfig] = {
    "xxl": HunyuanFoleyConfig(name="HunyuanVideo-Foley-XXL", hidden_size=1536, num_heads=12,
                              depth_triple_blocks=18, depth_single_blocks=36),
    "xl": HunyuanFoleyConfig(name="HunyuanVideo-Foley-XL", hidden_size=1408, num_heads=11,
                             depth_triple_blocks=12, depth_single_blocks=24),
    "tiny": HunyuanFoleyConfig(name="HunyuanVideo-Foley-tiny", hidden_size=64, num_heads=4,
                               depth_triple_blocks=2, depth_single_blocks=2,
                               clip_dim=48, sync_feat_dim=40, condition_dim=56),
}
