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
