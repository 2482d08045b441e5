"""HunyuanVideo-Foley fixture parity for ``foleyline models parity`` (the call sequences of
``../shared/fixtures/hunyuan_foley/FIXTURES.md``).

Three kinds of fixture, told apart by their config (the engine manifest names each kind's
identifying key and runner):

- the flow network (``constructor_model_config``): constants, every ``dbg.*`` intermediate of
  the ``out.v_cond`` call, the conditional / unconditional / guided velocities (the guided one
  as ONE batch [uncond; cond]), and the whole guided Euler sampling run;
- the DAC VAE (``constructor_kwargs`` of the DAC): decode, encoder moments, posterior, folded
  weights;
- the Synchformer visual branch (``vit_overrides``): segment features and the flattened
  sync tokens, from uint8 frames.

Sizes, steps and guidance come from the config and the io tensors; only the tensors present in
the io file are compared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import torch

from foleyline.errors import InvalidInput
from foleyline.server.engines.checkpoints import naming
from foleyline.server.engines.hunyuan_foley.blocks import interleaved_visual_positions
from foleyline.server.engines.hunyuan_foley.configuration_hunyuan_foley import HunyuanFoleyConfig
from foleyline.server.engines.hunyuan_foley.dac_vae import DacVAE, DacVAEConfig, output_channels
from foleyline.server.engines.hunyuan_foley.modeling_hunyuan_foley import HunyuanConditions, HunyuanFoleyModel
from foleyline.server.engines.hunyuan_foley.sampling import DEFAULT_GUIDANCE, TIME_SCALE, guided_velocity, sample_latent
from foleyline.server.engines.mmdit import compute_rope_rotations, euler_times, nearest_exact_index
from foleyline.server.engines.parity import ParityResult, compare, read_io, read_weights_file
from foleyline.server.engines.synchformer import SynchformerConfig, load_synchformer

__all__ = ["TOLERANCES", "run_network_parity", "run_synchformer_parity", "run_vae_parity", "synchformer_config"]

# Relative to the reference's largest magnitude (FIXTURES.md §4: float32 noise is ≤ 2.5e-6
# relative; the smallest structural mistake moves an output by ~1e-2).
TOLERANCES = {
    "const": 1e-6,       # tables formed in float32 as the reference does (exp may differ by an ulp)
    "network": 1e-4,     # out.v_*, dbg.*, the sampling run
    "vae_audio_abs": 1e-4,  # the waveform: absolute, as FIXTURES.md asks
    "vae": 1e-4,
    "synchformer": 1e-4,
}


def _weights_for(config: Path, weights: Sequence[Path]) -> Path:
    """The one --weights file, else ``<name>.safetensors`` beside ``<name>_config.json``."""
    if len(weights) == 1:
        return weights[0]
    if weights:
        raise InvalidInput("a HunyuanVideo-Foley fixture has one weights file; pass one --weights")
    stem = config.name.removesuffix(".json").removesuffix("_config")
    candidate = config.parent / f"{stem}.safetensors"
    if not candidate.is_file():
        raise InvalidInput(f"no --weights given and {candidate} does not exist")
    return candidate


def _checker(result: ParityResult, io: Mapping[str, torch.Tensor]):
    def check(key: str, ours: torch.Tensor, tolerance: float) -> None:
        if key in io:
            result.add(compare(key, ours, io[key], tolerance))
    return check


def _inputs(config: Path, weights: Sequence[Path], io_path: Path) -> tuple[Path, dict, dict]:
    path = _weights_for(config, weights)
    return path, read_weights_file(path), read_io(io_path)


@torch.no_grad()
def run_network_parity(config: Path, data: dict, weights: Sequence[Path], io_path: Path) -> ParityResult:
    path, state, io = _inputs(config, weights, io_path)
    name = config.name
    cfg = HunyuanFoleyConfig.from_reference(data)
    model = HunyuanFoleyModel(cfg).eval()
    with naming(path):
        model.load_weights(state)
    result = ParityResult(name, f"hunyuan-foley network ({cfg.depth_triple_blocks}+{cfg.depth_single_blocks} "
                                f"blocks, width {cfg.hidden_size})")
    check = _checker(result, io)
    tol, const = TOLERANCES["network"], TOLERANCES["const"]
    x_t, t = io.get("in.x_t"), io.get("in.t")
    clip, sync, text = io.get("in.clip_feat"), io.get("in.sync_feat"), io.get("in.text_feat")
    if clip is None or sync is None or text is None:
        raise InvalidInput("the network io file lacks in.clip_feat / in.sync_feat / in.text_feat")
    n = int((x_t if x_t is not None else io["in.sample.x0"]).shape[-1])
    nv, ns = int(clip.shape[1]), int(sync.shape[1])

    check("const.t_freqs", model.time_in.freqs, const)
    if "const.rope_cos" in io:
        table = compute_rope_rotations(io["const.rope_cos"].shape[0], cfg.head_dim, cfg.rope_theta)[0]
        check("const.rope_cos", table[..., 0, 0].repeat_interleave(2, dim=-1), const)
        check("const.rope_sin", table[..., 1, 0].repeat_interleave(2, dim=-1), const)
    positions, _source = interleaved_visual_positions(n, nv)
    check("const.visual_upsample_index", nearest_exact_index(nv, n), 0.0)
    check("const.visual_downsample_index", nearest_exact_index(n, nv), 0.0)
    check("const.visual_rope_position", positions, 0.0)
    check("const.sync_upsample_index", nearest_exact_index(ns, n), 0.0)

    sampling = data.get("sampling", {})
    steps = int(sampling.get("num_inference_steps", 50))
    guidance = float(sampling.get("guidance_scale", DEFAULT_GUIDANCE))
    sigmas = euler_times(steps, start=1.0, end=0.0)
    check("const.sample.sigmas", sigmas, const)
    check("const.sample.timesteps", sigmas[:-1] * TIME_SCALE, const)

    def unconditional(batch: int, negative: torch.Tensor) -> HunyuanConditions:
        empty_clip, empty_sync = model.empty_features(batch, nv, ns)
        return model.prepare_conditions(empty_clip, empty_sync, negative.expand(batch, -1, -1), n)

    negative = io.get("in.neg_text_feat")
    if x_t is not None and t is not None:
        capture: dict[str, torch.Tensor] = {}
        v_cond = model(x_t, t, clip, text, sync, capture=capture)
        for key in sorted(io):
            if key.startswith("dbg.") and key[4:] in capture:
                ours = capture[key[4:]]
                check(key, ours[:, : io[key].shape[1]] if ours.dim() == 3 else ours, tol)
        check("out.v_cond", v_cond, tol)
        cond = model.prepare_conditions(clip, sync, text, n)
        if negative is not None:
            uncond = unconditional(len(x_t), negative)
            check("out.v_uncond", model.velocity(x_t, t, uncond), tol)
            both = model.velocity(torch.cat([x_t, x_t]), torch.cat([t, t]), HunyuanConditions.concat(uncond, cond))
            check("out.v_cfg.batch_uncond", both[: len(x_t)], tol)
            check("out.v_cfg.batch_cond", both[len(x_t):], tol)
            check("out.v_cfg", guided_velocity(model, x_t, t, cond, uncond, guidance), tol)
    if "in.sample.x0" in io and negative is not None:
        noise = io["in.sample.x0"]
        batch = len(noise)
        cond = model.prepare_conditions(clip[:batch], sync[:batch], text[:batch], n)
        trajectory: list[torch.Tensor] = []
        velocities: list[torch.Tensor] = []
        x1 = sample_latent(model, noise, cond, unconditional(batch, negative), steps=steps, guidance=guidance,
                           trajectory=trajectory, velocities=velocities)
        check("out.sample.trajectory", torch.stack(trajectory), tol)
        check("out.sample.v_guided", torch.stack(velocities), tol)
        check("out.sample.x1", x1, tol)
    if not result.checks:
        raise InvalidInput("the network io file holds no output this check knows (out.v_cond, out.sample.x1, ...)")
    return result


@torch.no_grad()
def run_vae_parity(config: Path, data: dict, weights: Sequence[Path], io_path: Path) -> ParityResult:
    path, state, io = _inputs(config, weights, io_path)
    name = config.name
    kwargs = data["constructor_kwargs"]
    # the output channels are no kwarg of the reference: the weights say them, as in the engine
    blocks = len(DacVAEConfig.from_kwargs(kwargs).decoder_rates)
    vae_config = DacVAEConfig.from_kwargs(kwargs, channels=output_channels(state, blocks))
    vae = DacVAE(vae_config).eval()
    with naming(path):
        vae.load_reference_state(state)
    result = ParityResult(name, f"hunyuan-foley DAC VAE (encoder {vae_config.encoder_dim}, decoder {vae_config.decoder_dim})")
    check = _checker(result, io)
    tol = TOLERANCES["vae"]
    folded = {
        "dbg.decoder.model.0.weight_folded": vae.decoder.conv1.weight,
        "dbg.decoder.model.1.block.1.weight_folded": vae.decoder.block[0].conv_t1.weight,
        "dbg.encoder.block.0.weight_folded": vae.encoder.conv1.weight,
    }
    for key, weight in folded.items():
        check(key, weight, tol)
    if "in.latent" in io:
        latent = io["in.latent"]
        check("dbg.post_quant_conv", vae.post_quant_conv(latent), tol)
        check("dbg.decoder.conv_in", vae.decoder.conv1(vae.post_quant_conv(latent)), tol)
        audio = vae.decode(latent)
        if "out.audio" in io:
            scale = max(float(io["out.audio"].abs().max()), 1e-12)
            check("out.audio", audio, TOLERANCES["vae_audio_abs"] / scale)
    audio_in = io["out.audio"].float() if "out.audio" in io else None
    if audio_in is not None and "out.encoder_moments" in io:
        moments = vae.encode_moments(audio_in)
        check("out.encoder_moments", moments, tol)
        mean, logvar = vae.posterior(moments)
        check("out.posterior_mean", mean, tol)
        check("out.posterior_logvar", logvar, tol)
    if not result.checks:
        raise InvalidInput("the VAE io file holds no output this check knows (out.audio, out.encoder_moments, ...)")
    return result


@torch.no_grad()
def run_synchformer_parity(config: Path, data: dict, weights: Sequence[Path], io_path: Path) -> ParityResult:
    path, state, io = _inputs(config, weights, io_path)
    sizes = synchformer_config(data, state)
    with naming(path):
        model = load_synchformer(state, sizes).eval()
    result = ParityResult(config.name, f"synchformer visual branch (width {sizes.embed_dim}, depth {sizes.depth})")
    check = _checker(result, io)
    levels = torch.arange(256, dtype=torch.uint8)
    check("const.frame_lut", model.normalize(levels.float() / 255.0), TOLERANCES["const"])
    frames = io.get("in.frames_u8")
    if frames is None:
        raise InvalidInput("the Synchformer io file lacks in.frames_u8")
    motionformer = model.vfeat_extractor
    capture: dict[str, torch.Tensor] = {}

    def keep(key: str, tokens_last: bool = False):
        def hook(_module: torch.nn.Module, _inputs: object, out: torch.Tensor) -> None:
            capture[key] = out.flatten(2).transpose(1, 2) if tokens_last else out
        return hook

    hooks = [
        motionformer.patch_embed_3d.proj.register_forward_hook(keep("dbg.patch_embed_3d", tokens_last=True)),
        motionformer.blocks[0].register_forward_hook(keep("dbg.blocks.0")),
        motionformer.blocks[-1].register_forward_hook(keep("dbg.blocks.last")),
        motionformer.norm.register_forward_hook(keep("dbg.norm")),
    ]
    try:
        pixels = frames.float() / 255.0  # (T, 3, H, W), as the engine feeds its decoded frames
        tokens = model.encode_video(pixels.unsqueeze(0))
    finally:
        for hook in hooks:
            hook.remove()
    for key, ours in capture.items():
        check(key, ours, TOLERANCES["synchformer"])
    check("out.sync_feat", tokens, TOLERANCES["synchformer"])
    if "out.segment_features" in io:
        per_segment = tokens.view(-1, 1, sizes.tokens_per_segment, tokens.shape[-1])
        check("out.segment_features", per_segment, TOLERANCES["synchformer"])
    return result


def synchformer_config(data: dict, state: Mapping[str, torch.Tensor]) -> SynchformerConfig:
    """The Synchformer encoder's sizes for a fixture: what the weights' shapes fix comes from them
    (width, depth, MLP ratio, patch and image sizes); the head count and the segment hop, which
    leave no trace in the weights, from the config's ViT overrides or derived values (else the
    release's). A config that names a shape-fixed size the weights disagree with is refused."""
    overrides = data.get("vit_overrides", {})
    derived = data.get("derived", {})
    base = SynchformerConfig()
    heads = int(overrides.get("VIT.NUM_HEADS", derived.get("heads", base.num_heads)))
    step = int(derived.get("segment_step", base.segment_step))
    stated = {
        "embed_dim": overrides.get("VIT.EMBED_DIM", derived.get("embed_dim")),
        "depth": overrides.get("VIT.DEPTH", derived.get("depth")),
        "mlp_ratio": overrides.get("VIT.MLP_RATIO", derived.get("mlp_ratio")),
    }
    sizes = SynchformerConfig.from_state_dict(state, num_heads=heads, segment_step=step)
    for name, value in stated.items():
        if value is not None and float(value) != float(getattr(sizes, name)):
            raise InvalidInput(f"the fixture config gives the Synchformer {name}={value}, its weights "
                               f"{getattr(sizes, name)}")
    if sizes.embed_dim % heads:
        raise InvalidInput(f"the Synchformer width {sizes.embed_dim} does not split into {heads} heads")
    return sizes
