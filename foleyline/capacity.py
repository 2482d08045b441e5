"""What one server takes on at once, and how it keeps its store tidy: the settings workers,
max_streams, stalled_reader_s, max_upload_bytes, unfollowed_jobs and sweep_interval_s (defined
in ``foleyline.config``), read together as one ``ServerLimits`` (docs/server.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from foleyline import config
from foleyline.errors import InvalidInput

UNFOLLOWED_POLICIES = ("cancel", "continue")


@dataclass(frozen=True)
class ServerLimits:
    """What one server takes on at once, and how it keeps its store tidy (the settings of the
    same names)."""

    # Engine workers per device ("cpu", "cuda", "cuda:1": the device an engine reports; a
    # device kind covers its numbered devices). A device not named gets one worker.
    workers: Mapping[str, int] = field(default_factory=lambda: {"cpu": 2})
    max_streams: int = 100                  # open streaming calls at once
    stalled_reader_s: float = 30.0          # a client that reads nothing this long is dropped
    max_upload_bytes: int = 4 << 30         # the largest media upload
    unfollowed_jobs: str = "cancel"         # when the last follower leaves: "cancel" or "continue"
    sweep_interval_s: float = 600.0         # staged files and orphan WAVs collected this often

    def workers_for(self, device: str) -> int:
        kind = device.split(":", 1)[0]
        return max(1, int(self.workers.get(device, self.workers.get(kind, 1))))


def parse_workers(text: str, name: str = "workers") -> dict[str, int]:
    """{"cpu": 2, "cuda": 1} from "cpu=2,cuda=1"."""
    workers: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        device, sep, count = item.partition("=")
        if not sep or not device.strip() or not count.strip().isdigit() or not 1 <= int(count) <= 64:
            raise InvalidInput(f"{name} = {text!r}: write DEVICE=COUNT pairs, e.g. cpu=2,cuda=1 (1 to 64 each)")
        workers[device.strip()] = int(count)
    return workers


def _bounded(key: str, low: float, high: float, given: Any = None) -> float:
    number, source = config.lookup(key, given)
    if not low <= number <= high:
        raise InvalidInput(f"{key} ({source}) must be from {low:g} to {high:g}, got {number}")
    return number


def server_limits(**given: Any) -> ServerLimits:
    """The limits in effect, from the settings; ``given``: a command line's values by setting
    key (None: not given)."""
    policy, source = config.lookup("unfollowed_jobs", given.get("unfollowed_jobs"))
    if policy not in UNFOLLOWED_POLICIES:
        raise InvalidInput(f"unfollowed_jobs ({source}) = {policy!r}: use one of {', '.join(UNFOLLOWED_POLICIES)}")
    workers, source = config.lookup("workers", given.get("workers"))
    upload, upload_source = config.lookup("max_upload_bytes", given.get("max_upload_bytes"))
    return ServerLimits(
        workers={**ServerLimits().workers, **parse_workers(workers, f"workers ({source})")},
        max_streams=int(_bounded("max_streams", 1, 100_000, given.get("max_streams"))),
        stalled_reader_s=_bounded("stalled_reader_s", 0.1, 86_400, given.get("stalled_reader_s")),
        max_upload_bytes=config.parse_size(upload, f"max_upload_bytes ({upload_source})"),
        unfollowed_jobs=policy,
        sweep_interval_s=_bounded("sweep_interval_s", 1, 7 * 86_400, given.get("sweep_interval_s")),
    )


# ---- the cluster --------------------------------------------------------------------------

@dataclass(frozen=True)
class ClusterOptions:
    """How `serve --ray` lays the service on Ray Serve (the settings ray_*; docs/cluster.md)."""

    address: str = ""                        # a Ray cluster to join; empty: a local Ray on loopback
    replicas: int = 1                        # fixed number of engine replicas ...
    autoscale: tuple[int, int] | None = None  # ... or (min, max), scaled by Ray Serve
    gpus_per_replica: float = 0.0

    @property
    def most_replicas(self) -> int:
        return self.autoscale[1] if self.autoscale else self.replicas


def parse_autoscale(text: str, name: str = "ray_autoscale") -> tuple[int, int] | None:
    """(min, max) from "1:4"; None from ""."""
    if not text.strip():
        return None
    low, sep, high = text.strip().partition(":")
    if not sep or not low.isdigit() or not high.isdigit() or not 0 <= int(low) <= int(high) or int(high) < 1:
        raise InvalidInput(f"{name} = {text!r}: write MIN:MAX replicas with MIN <= MAX and MAX at least 1, e.g. 1:4")
    return int(low), int(high)


def cluster_options(**given: Any) -> ClusterOptions:
    """The cluster layout in effect; ``given``: a command line's values by setting key."""
    text, source = config.lookup("ray_autoscale", given.get("ray_autoscale"))
    autoscale = parse_autoscale(text, f"ray_autoscale ({source})")
    replicas = int(_bounded("ray_replicas", 1, 4096, given.get("ray_replicas")))
    gpus = _bounded("ray_gpus_per_replica", 0, 64, given.get("ray_gpus_per_replica"))
    return ClusterOptions(address=config.value("ray_address", given.get("ray_address")), replicas=replicas,
                          autoscale=autoscale, gpus_per_replica=gpus)
