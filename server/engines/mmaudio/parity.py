"""MMAudio fixture parity: the call sequence of ../shared/fixtures/mmaudio/FIXTURES.md.

Only the tensors present in the io file are compared, so partial fixtures work too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from foleyline.errors import InvalidInput
from foleyline.server.engines.checkpoints import naming
from foleyline.server.engines.mmaudio.bigvgan import BigVGANConfig, load_bigvgan
from foleyline.server.engines.mmaudio.configuration_mmaudio import MMAudioConfig, SequenceConfig
from foleyline.server.engines.mmaudio.modeling_mmaudio import MMAudioConditions, MMAudioModel
from foleyline.server.engines.mmaudio.vae import load_vae
from foleyline.server.engines.mmdit import euler_sample, euler_times, nearest_exact_index
from foleyline.server.engines.parity import ParityResult, compare, read_io, read_weights_file

__all__ = ["config_from_fixture", "run_chain_parity", "run_network_parity"]

# Relative to the reference's max |value| (FIXTURES.md §3): float32 noise is ≤ 5e-5; a real
# bug shows at 1e-2. The v2 v_cond carries large timestep phases (float32 floor 4.4e-5).
DEFAULT_TOLERANCE = 1e-4
V2_VELOCITY_TOLERANCE = 3e-4
EXACT_TOLERANCE = 1e-6
CONDITION_FIELDS = ("clip_f", "sync_f", "text_f", "clip_f_c", "text_f_c")


def config_from_fixture(data: dict) -> MMAudioConfig:
    args = data["constructor_args"]
    seq = data.get("sequence_config", {})
    try:
        sequence = SequenceConfig(
            duration=float(seq.get("duration", _duration_from_lengths(args))),
            sampling_rate=int(seq.get("sampling_rate", 16000 if args["latent_dim"] == 20 else 44100)),
            spectrogram_frame_rate=int(seq.get("spectrogram_frame_rate", 256 if args["latent_dim"] == 20 else 512)),
            latent_downsample_rate=int(seq.get("latent_downsample_rate", 2)),
        )
        cfg = MMAudioConfig(
            latent_dim=int(args["latent_dim"]), clip_dim=int(args["clip_dim"]), sync_dim=int(args["sync_dim"]),
            text_dim=int(args["text_dim"]), hidden_dim=int(args["hidden_dim"]), depth=int(args["depth"]),
            fused_depth=int(args["fused_depth"]), num_heads=int(args["num_heads"]),
            mlp_ratio=float(args.get("mlp_ratio", 4.0)), text_seq_len=int(args.get("text_seq_len", 77)),
            v2=bool(args.get("v2", False)), mode="16k" if sequence.sampling_rate == 16000 else "44k",
            sequence=sequence,
        )
    except KeyError as exc:
        raise InvalidInput(f"fixture constructor_args lack {exc}") from None
    for name in ("latent_seq_len", "clip_seq_len", "sync_seq_len"):
        if name in args and int(args[name]) != getattr(sequence, name):
            raise InvalidInput(
                f"fixture {name}={args[name]} differs from the value derived from its sequence_config "
                f"({getattr(sequence, name)}); fix the config's duration/rates"
            )
    return cfg


def _duration_from_lengths(args: dict) -> float:
    """A config without ``sequence_config``: the clip frames (8 per second) give the duration."""
    clip_len = args.get("clip_seq_len")
    return int(clip_len) / SequenceConfig.clip_frame_rate if clip_len else SequenceConfig.duration


def _resolve(config: Path, weights: Sequence[Path], name: str | None) -> Path:
    """The weights file named ``name`` in the config: a matching --weights file, else beside the
    config."""
    if name is None:
        if len(weights) == 1:
            return weights[0]
        raise InvalidInput("the fixture config names no weights file; pass exactly one --weights")
    for w in weights:
        if w.name == Path(name).name:
            return w
    if len(weights) == 1 and "vae" not in name and "vocoder" not in name:
        return weights[0]
    candidate = config.parent / name
    if candidate.is_file():
        return candidate
    raise InvalidInput(f"weights file {name!r} named in {config} was not given with --weights nor found beside it")


def _cond_checks(result: ParityResult, prefix: str, cond: MMAudioConditions, io: dict, fields=CONDITION_FIELDS) -> None:
    for f in fields:
        key = f"{prefix}.{f}"
        if key in io:
            result.add(compare(key, getattr(cond, f), io[key], DEFAULT_TOLERANCE))


@torch.no_grad()
def run_network_parity(config: Path, data: dict, weights: Sequence[Path], io_path: Path) -> ParityResult:
    cfg = config_from_fixture(data)
    model = MMAudioModel(cfg)
    weights_file = _resolve(config, weights, data.get("files", {}).get("weights"))
    with naming(weights_file):
        model.load_weights(read_weights_file(weights_file))
    model.eval()
    io = read_io(io_path)
    result = ParityResult(fixture=config.name, kind=f"mmaudio network ({'v2' if cfg.v2 else 'v1'})")
    velocity_tol = V2_VELOCITY_TOLERANCE if cfg.v2 else DEFAULT_TOLERANCE
    cfg_strength = float(data.get("sampling", {}).get("cfg_strength", 4.5))
    num_steps = int(data.get("sampling", {}).get("flow_matching", {}).get("num_steps", 25))

    consts = {
        "const.latent_rot": model.latent_rot,
        "const.clip_rot": model.clip_rot,
        "const.t_embed_freqs": model.t_embed.freqs,
        "const.sync_upsample_index": nearest_exact_index(cfg.sequence.sync_seq_len, cfg.sequence.latent_seq_len),
        "const.euler_times": euler_times(num_steps),
    }
    for key, ours in consts.items():
        if key in io:
            result.add(compare(key, ours, io[key], EXACT_TOLERANCE))

    clip_f, sync_f, text_f = io["in.clip_f"], io["in.sync_f"], io["in.text_f"]
    bs = clip_f.shape[0]
    cond = model.preprocess_conditions(clip_f, sync_f, text_f)
    empty = model.get_empty_conditions(bs)
    _cond_checks(result, "cond", cond, io)
    _cond_checks(result, "empty", empty, io)
    empty_neg = None
    if "in.neg_text_f" in io:
        empty_neg = model.get_empty_conditions(bs, negative_text_features=io["in.neg_text_f"])
        _cond_checks(result, "empty_neg", empty_neg, io)

    x_t, t = io.get("in.x_t"), io.get("in.t")
    if x_t is not None and t is not None:
        if "out.v_cond" in io:
            result.add(compare("out.v_cond", model.predict_flow(x_t, t, cond), io["out.v_cond"], velocity_tol))
            result.add(compare("out.v_cond (forward)", model(x_t, clip_f, sync_f, text_f, t), io["out.v_cond"], velocity_tol))
        if "out.v_uncond" in io:
            result.add(compare("out.v_uncond", model.predict_flow(x_t, t, empty), io["out.v_uncond"], velocity_tol))
        if "out.v_uncond_neg" in io and empty_neg is not None:
            result.add(compare("out.v_uncond_neg", model.predict_flow(x_t, t, empty_neg), io["out.v_uncond_neg"], velocity_tol))
        if "out.x_t_normalized" in io:
            result.add(compare("out.x_t_normalized", model.normalize(x_t), io["out.x_t_normalized"], DEFAULT_TOLERANCE))
    if x_t is not None and "in.t_scalar" in io:
        ts = io["in.t_scalar"]
        if "out.v_cfg" in io:
            result.add(compare("out.v_cfg", model.ode_wrapper(ts, x_t, cond, empty, cfg_strength), io["out.v_cfg"], DEFAULT_TOLERANCE))
        if "out.v_cfg_neg" in io and empty_neg is not None:
            result.add(compare("out.v_cfg_neg", model.ode_wrapper(ts, x_t, cond, empty_neg, cfg_strength), io["out.v_cfg_neg"], DEFAULT_TOLERANCE))

    if "in.x0" in io:
        times = io["const.euler_times"].float() if "const.euler_times" in io else euler_times(num_steps)
        for tag, unc in (("sample", empty), ("sample_neg", empty_neg)):
            if unc is None or f"out.{tag}.x1" not in io:
                continue
            trajectory: list[torch.Tensor] = []
            x1 = euler_sample(
                lambda tt, x, unc=unc: model.ode_wrapper(tt, x, cond, unc, cfg_strength), io["in.x0"], times,
                trajectory=trajectory,
            )
            if f"out.{tag}.trajectory" in io:
                result.add(compare(f"out.{tag}.trajectory", torch.stack(trajectory), io[f"out.{tag}.trajectory"], DEFAULT_TOLERANCE))
            result.add(compare(f"out.{tag}.x1", x1, io[f"out.{tag}.x1"], DEFAULT_TOLERANCE))
            if f"out.{tag}.x1_unnormalized" in io:
                result.add(compare(f"out.{tag}.x1_unnormalized", model.unnormalize(x1), io[f"out.{tag}.x1_unnormalized"], DEFAULT_TOLERANCE))
    if not result.checks:
        raise InvalidInput(f"{io_path} holds no reference output this check knows (out.v_cond, out.sample.x1, ...)")
    return result


@torch.no_grad()
def run_chain_parity(config: Path, data: dict, weights: Sequence[Path], io_path: Path) -> ParityResult:
    """Latent -> mel (VAE decode) -> waveform (vocoder), plus the VAE encoder moments."""
    vae_cfg, voc_cfg = data["vae"], data["vocoder"]
    io = read_io(io_path)
    result = ParityResult(fixture=config.name, kind="mmaudio vae+vocoder")
    vae_file = _resolve(config, weights, vae_cfg.get("weights"))
    with naming(vae_file):
        vae = load_vae(
            read_weights_file(vae_file),
            data_dim=int(vae_cfg["data_dim"]), embed_dim=int(vae_cfg["embed_dim"]), hidden_dim=int(vae_cfg["hidden_dim"]),
        ).eval()
    for name in ("conv_in", "conv_out"):
        key = f"dbg.vae.decoder.{name}.weight_after_remove_weight_norm"
        if key in io:
            result.add(compare(key, getattr(vae.decoder, name).weight, io[key], DEFAULT_TOLERANCE))
    mel_ref = io["out.mel"].float() if "out.mel" in io else None  # the vocoder's and encoder's input
    if "in.latent" in io and mel_ref is not None:
        mel = vae.decode(io["in.latent"].transpose(1, 2))
        result.add(compare("out.mel", mel, io["out.mel"], DEFAULT_TOLERANCE))
    if "out.encoder_moments" in io and "out.mel" in io:
        result.add(compare("out.encoder_moments", vae.encode_moments(mel_ref), io["out.encoder_moments"], DEFAULT_TOLERANCE))
    vocoder_file = _resolve(config, weights, voc_cfg.get("weights"))
    with naming(vocoder_file):
        vocoder = load_bigvgan(read_weights_file(vocoder_file), BigVGANConfig.from_dict(voc_cfg["config"])).eval()
    key = "dbg.vocoder.conv_pre.weight_after_remove_weight_norm"
    if key in io:
        result.add(compare(key, vocoder.conv_pre.weight, io[key], DEFAULT_TOLERANCE))
    key = "dbg.vocoder.ups.0.0.weight_after_remove_weight_norm"
    if key in io:
        result.add(compare(key, vocoder.ups[0][0].weight, io[key], DEFAULT_TOLERANCE))
    if "out.wav" in io and "out.mel" in io:
        # from the stored mel, so the vocoder is judged on its own
        result.add(compare("out.wav", vocoder(mel_ref), io["out.wav"], DEFAULT_TOLERANCE))
    if not result.checks:
        raise InvalidInput(f"{io_path} holds no reference output this check knows (out.mel, out.wav, ...)")
    return result
