"""Audio onsets, as the Foley sync metrics of CondFoleyGen and ReWaS find them, in pure DSP.

Onset strength is spectral flux on a log-mel spectrogram (the increase of each band's level from
one frame to the next, summed over bands); peaks are picked the way librosa's ``onset_detect``
does (local maximum over the previous 30 ms, above the local mean of +-100 ms by ``delta``, at
least 30 ms apart) and then thinned by non-maximum suppression within 50 ms by confidence, the
peak level of the waveform around the onset. Analysis runs at 22.05 kHz with a 512-sample hop
(23 ms), as those papers' scripts do.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import soxr

RATE = 22050
N_FFT = 2048
HOP = 512
N_MELS = 128
CONF_WINDOW = 0.05  # seconds each side of an onset to read its confidence from
NMS_WINDOW = 0.05


@dataclass(frozen=True)
class Onsets:
    times: np.ndarray        # (K,) seconds
    confidence: np.ndarray   # (K,) 0..1, peak level around the onset relative to the clip's peak


def to_analysis_rate(audio: np.ndarray, rate: int) -> np.ndarray:
    """Mono float64 at ``RATE``. ``audio`` is (samples,) or (channels, samples)."""
    x = np.asarray(audio, dtype=np.float64)
    if x.ndim == 2:
        x = x.mean(axis=0)
    if x.ndim != 1:
        raise ValueError(f"audio must be (samples,) or (channels, samples), got shape {x.shape}")
    if rate != RATE and x.size:
        x = soxr.resample(x, rate, RATE)
    return x


@lru_cache(maxsize=2)
def _mel_filters(n_fft: int, n_mels: int, rate: int) -> np.ndarray:
    """Triangular mel filters (HTK mel scale), (n_mels, n_fft // 2 + 1)."""
    def hz_to_mel(f):
        return 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)

    def mel_to_hz(m):
        return 700.0 * (10.0 ** (np.asarray(m) / 2595.0) - 1.0)

    freqs = np.linspace(0.0, rate / 2.0, n_fft // 2 + 1)
    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(rate / 2.0), n_mels + 2))
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    up = (freqs[None, :] - lower) / np.maximum(centre - lower, 1e-9)
    down = (upper - freqs[None, :]) / np.maximum(upper - centre, 1e-9)
    return np.maximum(0.0, np.minimum(up, down))


def mel_power(x: np.ndarray) -> np.ndarray:
    """(frames, n_mels) mel power; frame k is centred on sample k * HOP."""
    pad = N_FFT // 2
    padded = np.pad(x, (pad, pad), mode="constant")
    frames = 1 + max(0, (padded.size - N_FFT) // HOP)
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(frames)[:, None]
    window = np.hanning(N_FFT + 1)[:-1]
    spec = np.abs(np.fft.rfft(padded[idx] * window, axis=1)) ** 2
    return spec @ _mel_filters(N_FFT, N_MELS, RATE).T


def onset_strength(x: np.ndarray) -> np.ndarray:
    """Spectral flux of the log-mel spectrogram, one value per frame (frame 0 = 0)."""
    if x.size == 0:
        return np.zeros(0)
    log_mel = 10.0 * np.log10(np.maximum(mel_power(x), 1e-10))
    log_mel = np.maximum(log_mel, log_mel.max() - 80.0)  # an 80 dB floor, as power_to_db's top_db
    flux = np.maximum(0.0, np.diff(log_mel, axis=0)).mean(axis=1)
    return np.concatenate([[0.0], flux])


def _peak_pick(env: np.ndarray, delta: float) -> np.ndarray:
    fps = RATE / HOP
    pre_max, post_max = int(0.03 * fps), 1
    pre_avg, post_avg = int(0.10 * fps), int(0.10 * fps) + 1
    wait = int(0.03 * fps)
    peaks: list[int] = []
    last = -wait - 1
    for k in range(env.size):
        lo_max, hi_max = max(0, k - pre_max), min(env.size, k + post_max)
        if env[k] < env[lo_max:hi_max].max():
            continue
        lo_avg, hi_avg = max(0, k - pre_avg), min(env.size, k + post_avg)
        if env[k] < env[lo_avg:hi_avg].mean() + delta:
            continue
        if k - last > wait:
            peaks.append(k)
            last = k
    return np.asarray(peaks, dtype=np.int64)


def detect_onsets(audio: np.ndarray, rate: int, *, delta: float = 0.3) -> Onsets:
    """Onsets of ``audio``; ``delta`` is the pick threshold on the 0..1-normalised flux (0.3 as
    the CondFoleyGen/ReWaS scripts use)."""
    x = to_analysis_rate(audio, rate)
    env = onset_strength(x)
    if env.size == 0 or env.max() <= env.min():
        return Onsets(np.zeros(0), np.zeros(0))
    env = (env - env.min()) / (env.max() - env.min())
    frames = _peak_pick(env, delta)
    samples = frames * HOP
    peak = float(np.abs(x).max()) or 1.0
    half = int(CONF_WINDOW * RATE)
    conf = np.array([np.abs(x[max(0, s - half) : s + half + 1]).max() / peak if x.size else 0.0 for s in samples])
    keep = _nms(samples, conf, int(NMS_WINDOW * RATE))
    return Onsets(samples[keep] / RATE, conf[keep])


def _nms(samples: np.ndarray, conf: np.ndarray, window: int) -> np.ndarray:
    """Keep the most confident onset of any group closer than ``window`` samples."""
    order = np.argsort(-conf, kind="stable")
    taken = np.zeros(samples.size, dtype=bool)
    keep: list[int] = []
    for i in order:
        if taken[i]:
            continue
        keep.append(int(i))
        taken |= np.abs(samples - samples[i]) < window
    return np.array(sorted(keep), dtype=np.int64)
