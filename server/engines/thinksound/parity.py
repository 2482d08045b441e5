"""ThinkSound fixture parity for ``foleyline models parity`` (the call sequence of
``../shared/fixtures/thinksound/FIXTURES.md``).

One config (``thinksound_tiny_config.json``) describes both the network and the VAE; the io file
says which one a run is about: ``in.latent`` → VAE decoder chain, else ``in.x_t``/``in.noise``/
``const.*`` → network. Only
the tensors present in the io file are compared, so partial fixtures work too. Sequence lengths,
steps and CFG scale come from the config, so fixtures at other durations or sizes run unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from foleyline.errors import InvalidInput, NotFound
from foleyline.server.engines.checkpoints import naming
from foleyline.server.engines.mmdit import nearest_exact_index
from foleyline.server.engines.parity import ParityResult, compare, load_fixture_config, read_io, read_weights_file
from foleyline.server.engines.thinksound.checkpoints import network_weights, vae_weights
from foleyline.server.engines.thinksound.configuration_thinksound import SequenceLengths, ThinkSoundConfig
from foleyline.server.engines.thinksound.modeling_thinksound import ThinkSoundNetwork
from foleyline.server.engines.thinksound.sampling import DEFAULT_CFG_SCALE, DEFAULT_STEPS, sample_latent
from foleyline.server.engines.thinksound.vae import OobleckConfig, ThinkSoundVAE, reference_int16

__all__ = ["TOLERANCES", "run_fixture", "run_parity"]

# Relative to the reference's max |value| (FIXTURES.md §3).
TOLERANCES = {
    "const": 1e-6,       # tables computed in float32 exactly as the reference does
    "velocity": 2e-5,    # out.v_* and dbg.* of one network call
    "sample": 5e-5,      # 24 Euler steps
    "vae": 2e-4,         # ~40 conv layers over 397k samples
    "encoder": 1e-4,
}


def run_fixture(config_path: Path, data: dict, weights: Sequence[Path], io_path: Path) -> ParityResult:
    """The engine manifest's entry for ``foleyline models parity``: the first weights file is
    the one checked (the network's or the VAE's, as the io file says)."""
    return run_parity(config_path, weights[0] if weights else None, io_path)


def run_parity(config_path: Path, weights_path: Path | None, io_path: Path) -> ParityResult:
    config_path, io_path = Path(config_path), Path(io_path)
    data = load_fixture_config(config_path)
    if weights_path is None:
        raise InvalidInput("a ThinkSound parity run needs the fixture's weights file (.safetensors)")
    weights_path = Path(weights_path)
    for path in (weights_path, io_path):
        if not path.is_file():
            raise NotFound(f"{path} does not exist")
    io = read_io(io_path)
    weights = read_weights_file(weights_path)
    with naming(weights_path):
        if "in.latent" in io or "in.audio_for_encoder" in io:
            return _vae_parity(config_path.name, data, weights, io)
        if any(key in io for key in ("in.x_t", "in.noise", "in.clip_f")) or any(k.startswith("const.") for k in io):
            return _network_parity(config_path.name, data, weights, io)
    raise InvalidInput(
        f"{io_path} holds neither network tensors (in.x_t, in.noise, const.*) nor VAE inputs (in.latent)"
    )


def _network(data: dict, weights: dict[str, torch.Tensor]) -> ThinkSoundNetwork:
    args = data.get("mmmodule_constructor_args")
    if not isinstance(args, dict):
        raise InvalidInput("the fixture config has no 'mmmodule_constructor_args' object")
    network = ThinkSoundNetwork(ThinkSoundConfig.from_reference(args)).eval()
    network.load_checkpoint_state(network_weights(weights))
    return network


def _network_parity(name: str, data: dict, weights: dict[str, torch.Tensor], io: dict[str, torch.Tensor]) -> ParityResult:
    result = ParityResult(name, "thinksound network")
    net = _network(data, weights)
    # The io tensors' own lengths rule (the reference's predict.py overrides the config's
    # lengths from the duration); they only change the rotary tables and the sync upsampling.
    latent_source = io.get("in.x_t", io.get("in.noise"))
    if latent_source is not None and "in.clip_f" in io and "in.sync_f" in io:
        net.set_sequence_lengths(SequenceLengths(
            int(latent_source.shape[-1]), int(io["in.clip_f"].shape[1]), int(io["in.sync_f"].shape[1])))
    lengths: SequenceLengths = net.lengths
    tol = TOLERANCES

    def check(key: str, ours: torch.Tensor, kind: str) -> None:
        if key in io:
            result.add(compare(key, ours, io[key], tol[kind]))

    check("const.latent_rot", net.latent_rot, "const")
    check("const.clip_rot", net.clip_rot, "const")
    check("const.t_embed_freqs", net.t_embed.freqs, "const")
    if "const.sync_upsample_index" in io:
        check("const.sync_upsample_index", nearest_exact_index(lengths.sync, lengths.latent), "const")

    cond_keys = ("in.clip_f", "in.sync_f", "in.metaclip_text_f", "in.t5_f")
    if not all(k in io for k in cond_keys):
        return result
    inputs = dict(clip_f=io["in.clip_f"], sync_f=io["in.sync_f"], text_f=io["in.metaclip_text_f"], t5_f=io["in.t5_f"])
    batch = inputs["clip_f"].shape[0]
    sampling = data.get("sampling", {})
    cfg_scale = float(sampling.get("cfg_scale", DEFAULT_CFG_SCALE))
    steps = int(sampling.get("steps", DEFAULT_STEPS))
    novideo = dict(inputs, clip_f=net.empty_clip(batch), sync_f=net.empty_sync(batch))
    check("in_derived.empty_clip_f", novideo["clip_f"], "const")
    check("in_derived.empty_sync_f", novideo["sync_f"], "const")

    with torch.no_grad():
        if "in.x_t" in io and "in.t" in io:
            x, t = io["in.x_t"], io["in.t"]
            trace: dict[str, torch.Tensor] = {}
            cond = net.preprocess_conditions(**inputs, trace=trace)
            flow = net.predict_flow(x.transpose(1, 2), t, cond, trace=trace)
            for key, value in trace.items():
                check(f"dbg.cond.{key}", value, "velocity")
            check("out.v_cond", flow.transpose(1, 2), "velocity")
            empties = dict(clip_f=net.empty_clip(batch), sync_f=net.empty_sync(batch),
                           text_f=net.empty_text(batch), t5_f=net.empty_t5(batch))
            check("out.v_uncond", net(x, t, **empties), "velocity")
            check("out.v_cfg", net(x, t, **inputs, cfg_scale=cfg_scale), "velocity")
            if "in.metaclip_global_f" in io:
                check("out.v_cfg_global",
                      net(x, t, **inputs, global_text_f=io["in.metaclip_global_f"], cfg_scale=cfg_scale), "velocity")
            check("out.v_cfg_novideo", net(x, t, **novideo, cfg_scale=cfg_scale), "velocity")
        if "in.noise" in io:
            check("const.euler_times", torch.linspace(1, 0, steps + 1), "const")
            trajectory: list[torch.Tensor] = []
            x0 = sample_latent(net, io["in.noise"], **inputs, steps=steps, cfg_scale=cfg_scale, trajectory=trajectory)
            check("out.sample.trajectory", torch.stack(trajectory), "sample")
            check("out.sample.x0", x0, "sample")
            if "out.sample_novideo.x0" in io:
                check("out.sample_novideo.x0",
                      sample_latent(net, io["in.noise"], **novideo, steps=steps, cfg_scale=cfg_scale), "sample")
    return result


def _vae_parity(name: str, data: dict, weights: dict[str, torch.Tensor], io: dict[str, torch.Tensor]) -> ParityResult:
    result = ParityResult(name, "thinksound vae")
    spec = data.get("vae_constructor") or data["model_config_as_passed_to_create_model_from_config"]["model"]["pretransform"]["config"]
    vae = ThinkSoundVAE(OobleckConfig.from_reference(spec)).eval()
    weights = vae_weights(weights)
    has_encoder = any(k.startswith("encoder.") for k in weights)
    vae.load_reference_state(weights, decoder_only=not has_encoder)
    if "in.latent" in io:
        audio = vae.decode(io["in.latent"])
        if "out.audio" in io:
            result.add(compare("out.audio", audio, io["out.audio"], TOLERANCES["vae"]))
        if "out.audio_int16" in io:
            result.add(compare("out.audio_int16", reference_int16(audio).float(),
                               io["out.audio_int16"].float(), TOLERANCES["vae"]))
        decoder = vae.model.decoder
        if "dbg.vae.decoder.conv_in" in io:
            with torch.no_grad():
                result.add(compare("dbg.vae.decoder.conv_in", decoder.conv1(io["in.latent"]),
                                   io["dbg.vae.decoder.conv_in"], TOLERANCES["velocity"]))
    if has_encoder and "in.audio_for_encoder" in io and "out.encoder_raw" in io:
        result.add(compare("out.encoder_raw", vae.encode_raw(io["in.audio_for_encoder"]),
                           io["out.encoder_raw"], TOLERANCES["encoder"]))
    return result
