"""Loading HunyuanVideo-Foley from the model folder (``files.py`` layout), on the device and in
the precision the machine allows.

- The flow network: built on the meta device and given the checkpoint's memory-mapped tensors
  (never held twice), then moved to the device in bf16 (fp16 where the GPU has no bf16; fp32 on
  the CPU). Its sizes: ``config.yaml`` beside the weights when present (the reference's form),
  else the released preset.
- The DAC VAE: its kwargs come from the checkpoint's own metadata (as the reference's loader
  reads them), decoder only, float32 always.
- Synchformer (the shared encoder MMAudio uses), SigLIP2 and CLAP: the text and visual encoders,
  float32 as the reference runs them (the Synchformer under fp16 autocast on a GPU, as there).
  When the GPU is short of memory for everything at once they stay on the CPU and visit the GPU
  only while encoding ("offload"); the network and the VAE stay resident.

Nothing here downloads: missing files raise ``Unavailable`` naming the pull command.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import torch

from foleyline.errors import InvalidInput, Unavailable
from foleyline.server.engines.checkpoints import load_state_dict, naming, read_weights, state_dict_of
from foleyline.server.engines.hunyuan_foley import files
from foleyline.server.engines.hunyuan_foley.configuration_hunyuan_foley import LATENT_RATE, HunyuanFoleyConfig
from foleyline.server.engines.hunyuan_foley.dac_vae import DacVAE, DacVAEConfig, output_channels
from foleyline.server.engines.hunyuan_foley.encoders import ClapTextEncoder, SiglipFrameEncoder
from foleyline.server.engines.hunyuan_foley.modeling_hunyuan_foley import HunyuanFoleyModel
from foleyline.server.engines.synchformer import SynchformerConfig, SynchformerEncoder, load_synchformer

log = logging.getLogger(__name__)

__all__ = ["ARCHITECTURE_FILE", "Components", "choose_precision", "load_components", "network_config"]

# Optional, beside the features: sizes of a Synchformer other than the released one (the
# reference hard-codes its ViT config; tests install tiny random encoders this way).
ARCHITECTURE_FILE = "foleyline_architecture.json"
# What the GPU must hold besides the weights: activations of a 15 s batch of 2 plus the
# allocator's slack (measured figures are in benchmarks/hunyuan_foley_step.py).
ACTIVATION_MARGIN_BYTES = 3 << 30


@dataclass
class Components:
    network: HunyuanFoleyModel
    vae: DacVAE
    synchformer: SynchformerEncoder
    siglip: SiglipFrameEncoder
    clap: ClapTextEncoder
    device: torch.device
    dtype: torch.dtype
    offload: bool


def choose_precision(device: torch.device, dtype: torch.dtype | None) -> torch.dtype:
    """bf16 on a GPU that has it, else fp16; fp32 on the CPU (the fallback, and what the
    fixtures pin)."""
    if dtype is not None:
        return dtype
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def network_config(variant: str, folder: Path) -> HunyuanFoleyConfig:
    """``config.yaml`` in the network's folder (the reference's form), else the preset."""
    path = folder / files.CONFIG_FILE
    if not path.is_file():
        return HunyuanFoleyConfig.preset(variant)
    import yaml  # deferred: only custom sizes need it

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{path} must hold the reference's config mapping (model_config.model_kwargs)")
    return HunyuanFoleyConfig.from_reference(data)


def _load_vae(path: Path) -> DacVAE:
    data = read_weights(path)
    state = state_dict_of(data, source=path)
    metadata = data.get("metadata")
    kwargs = metadata.get("kwargs") if isinstance(metadata, dict) else None
    if not isinstance(kwargs, dict):
        log.info("%s carries no DAC kwargs; using the released ones", path)
        kwargs = {}
    rates = DacVAEConfig.from_kwargs(kwargs).decoder_rates
    config = DacVAEConfig.from_kwargs(kwargs, channels=output_channels(state, len(rates)))
    vae = DacVAE(config, with_encoder=False)
    decoder_state = {k: v for k, v in state.items()
                     if isinstance(v, torch.Tensor) and not k.startswith(("encoder.", "quant_conv."))}
    with naming(path):
        vae.load_reference_state(decoder_state)
    return vae


def _synchformer_config(features: Path) -> SynchformerConfig | None:
    path = features / ARCHITECTURE_FILE
    if not path.is_file():
        return None
    try:
        values = json.loads(path.read_text(encoding="utf-8")).get("synchformer", {})
        return SynchformerConfig(**values)
    except (json.JSONDecodeError, TypeError, AttributeError) as exc:
        raise InvalidInput(f"{path}: cannot read the Synchformer sizes: {exc}") from None


def _weights_bytes(*modules: torch.nn.Module, dtype: torch.dtype) -> int:
    return sum(p.numel() for m in modules for p in m.parameters()) * torch.finfo(dtype).bits // 8


def _should_offload(device: torch.device, need: int) -> bool:
    if device.type != "cuda":
        return False
    free, _total = torch.cuda.mem_get_info(device)
    return free < need


def load_components(
    models_root: Path, variant: str, *, device: torch.device, dtype: torch.dtype | None, offload: bool | None,
) -> Components:
    missing = files.missing_files(models_root, variant)
    if missing:
        raise Unavailable(missing_message(variant, missing))
    dtype = choose_precision(device, dtype)
    net_folder = models_root / files.network_package(variant)
    features = models_root / files.FEATURES_PACKAGE
    config = network_config(variant, net_folder)

    with torch.device("meta"):
        network = HunyuanFoleyModel(config)
    network_file = net_folder / files.NETWORK_FILES[variant]
    with naming(network_file):
        network.load_weights(load_state_dict(network_file), assign=True)
    vae = _load_vae(features / files.VAE_FILE)
    synchformer_file = features / files.SYNCHFORMER_FILE
    with naming(synchformer_file):
        synchformer = load_synchformer(load_state_dict(synchformer_file), _synchformer_config(features))
    siglip = SiglipFrameEncoder(features / files.SIGLIP_FOLDER, device=device,
                                package=files.network_package(variant))
    clap = ClapTextEncoder(features / files.CLAP_FOLDER, device=device, package=files.network_package(variant))
    _check_widths(config, vae, synchformer, siglip, clap)

    encoders_bytes = _weights_bytes(synchformer, siglip.model, clap.model, dtype=torch.float32)
    need = _weights_bytes(network, dtype=dtype) + _weights_bytes(vae, dtype=torch.float32) + encoders_bytes
    if offload is None:
        offload = _should_offload(device, need + ACTIVATION_MARGIN_BYTES)
        if offload:
            log.info("GPU memory is short of %.1f GB: the text and visual encoders stay on the CPU between uses",
                     (need + ACTIVATION_MARGIN_BYTES) / 2**30)
    encoder_home = torch.device("cpu") if offload else device
    for encoder in (siglip.model, clap.model):
        encoder.to(encoder_home)
    network = network.to(device, dtype).eval().requires_grad_(False)
    network._rotary.clear()
    vae = vae.to(device).eval().requires_grad_(False)
    synchformer = synchformer.to(encoder_home).eval().requires_grad_(False)
    return Components(network, vae, synchformer, siglip, clap, device, dtype, bool(offload))


def _check_widths(config: HunyuanFoleyConfig, vae: DacVAE, synchformer: SynchformerEncoder,
                  siglip: SiglipFrameEncoder, clap: ClapTextEncoder) -> None:
    pairs = (
        ("SigLIP2 features", siglip.width, "clip_dim", config.clip_dim),
        ("CLAP token states", clap.width, "condition_dim", config.condition_dim),
        ("Synchformer tokens", synchformer.config.embed_dim, "sync_feat_dim", config.sync_feat_dim),
        ("VAE latents", vae.config.latent_dim, "audio_vae_latent_dim", config.audio_vae_latent_dim),
    )
    for what, got, name, want in pairs:
        if got != want:
            raise InvalidInput(f"the {what} are {got} wide but the network's {name} is {want}: "
                               "the installed encoders do not belong to this network")
    # Every length is tied to 50 latent frames a second (SequenceLengths): a VAE decoding another
    # rate would stretch or squeeze every take against its picture.
    if vae.config.hop_length * LATENT_RATE != vae.config.sample_rate:
        raise InvalidInput(f"the VAE decodes {vae.config.hop_length} samples per latent frame at "
                           f"{vae.config.sample_rate} Hz, not the {LATENT_RATE} frames a second the network runs")


def missing_message(variant: str, missing: list[Path]) -> str:
    names = ", ".join(str(p) for p in missing)
    return (f"HunyuanVideo-Foley {variant.upper()} weights are missing: {names}. Run `foleyline models pull "
            f"{files.network_package(variant)}` (it also pulls {files.FEATURES_PACKAGE}; read the Tencent "
            "Hunyuan Community Licence it shows first).")
