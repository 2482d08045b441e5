"""Shared test fixtures. Real material lives beside the project in ../shared (never copied in)."""

from __future__ import annotations

import getpass
import os
import random
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import configuration as hypothesis_configuration

from checkout import checkout_paths
from small_clips import write_small_clip
from foleyline import config

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FOLEYLINE_SHARED", ROOT.parent / "shared")).resolve()

# On CI (CI=true) nothing may be skipped for a missing library or file: a skip there would
# hide exactly what a fresh machine lacks. Only tests marked slow skip by design.
STRICT = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Every test's temporary folder has a space and a non-ASCII letter in its path, as an editor's
# "My Projects/Fóley" has: a path put into a URL, a timeline or a command line unquoted then
# fails in the test that writes it, not only on the machine that has such a folder.
_ODD = " é" if sys.getfilesystemencoding().lower().replace("-", "") == "utf8" else ""


def _user() -> str:
    # a container may run under a user id no passwd entry names: getuser() then raises
    try:
        return getpass.getuser()
    except Exception:
        return str(os.getuid())


_TEMP = f"foleyline tests{_ODD} {_user()}"
if Path(tempfile.gettempdir()).name != _TEMP:  # once, though a test imports this module again
    tempfile.tempdir = str(Path(tempfile.gettempdir()) / _TEMP)
    os.makedirs(tempfile.tempdir, mode=0o700, exist_ok=True)

# The libraries the tests load keep files in the user's folders (PulseAudio's runtime link in
# ~/.config/pulse as Qt Multimedia loads, fontconfig's cache): the suite's own instead, so a run
# leaves nothing in the home folder. Hypothesis keeps its examples and its cache of the
# constants in our sources beside the suite's folders, not in the checkout.
for _xdg in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
    os.environ[_xdg] = os.path.join(tempfile.tempdir, "home", _xdg.lower().removeprefix("xdg_").removesuffix("_home"))
hypothesis_configuration.set_hypothesis_home_dir(
    os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY") or os.path.join(tempfile.tempdir, "hypothesis"))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# Property tests: no clock decides their outcome (a deadline per example, or too_slow, which
# times the drawing of examples, are the machine's load). On CI every run draws the same
# examples, so its outcome is the code's, not the seed's; runs elsewhere go on exploring, and
# what they find becomes an @example.
settings.register_profile("foleyline", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("foleyline-ci", parent=settings.get_profile("foleyline"), derandomize=True)
settings.load_profile("foleyline-ci" if STRICT else "foleyline")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail") and item.get_closest_marker("slow") is None:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"CI=true and this test was skipped: {reason}"


@pytest.fixture(scope="session", autouse=True)
def nothing_written_into_the_checkout() -> Iterator[None]:
    """Tests write under tmp_path only: a checkout may be read-only (a CI that mounts it so),
    and a test that writes into it fails there and leaves litter everywhere else."""
    before = checkout_paths()
    yield
    written = sorted(checkout_paths() - before)
    assert not written, f"the tests wrote into the checkout {ROOT}: {written[:20]}"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"the shared test material is missing: expected it at {SHARED} (set FOLEYLINE_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def media_dir(shared_dir: Path) -> Path:
    return shared_dir / "media"


@pytest.fixture(scope="session")
def otio_samples_dir(shared_dir: Path) -> Path:
    return shared_dir / "otio-samples"


@pytest.fixture(scope="session")
def fixtures_dir(shared_dir: Path) -> Path:
    return shared_dir / "fixtures"


@dataclass
class FakeHub:
    root: Path          # laid out as <repo>/<filename>
    calls: list         # (repo, filename) of every download asked for


@pytest.fixture
def fake_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    """A folder laid out as <repo>/<filename>; `models pull` downloads from it (no network)."""
    from foleyline.server.models import pull

    hub = tmp_path / "hub"
    calls: list[tuple[str, str]] = []

    def fake_download(*, repo_id, filename, revision=None, local_dir):
        calls.append((repo_id, filename))
        src = hub / repo_id / filename
        if not src.is_file():
            raise FileNotFoundError(f"{repo_id}/{filename} is not on the fake hub")
        dest = Path(local_dir) / filename
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        return str(dest)

    monkeypatch.setattr(pull, "hf_hub_download", fake_download)
    return FakeHub(hub, calls)


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's config, data or models."""
    base = tmp_path_factory.mktemp("user")
    for setting in config.SETTINGS:  # the developer's own settings never reach a test
        monkeypatch.delenv(setting.env, raising=False)
    monkeypatch.setenv("FOLEYLINE_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("FOLEYLINE_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("FOLEYLINE_MODELS_DIR", str(base / "models"))


@pytest.fixture(autouse=True)
def same_draws_in_any_order() -> None:
    """A test's unseeded draws (torch.randn, a job's random seed) are the same whatever ran
    before it in the process: a test alone, in another order or beside others sees the same."""
    random.seed(0)
    torch = sys.modules.get("torch")  # never imported here: a core test stays without it
    # A server's thread may be importing it at this moment: seeded once whole (until then, its
    # generator has its fixed initial seed).
    if torch is not None and not getattr(getattr(torch, "__spec__", None), "_initializing", False):
        torch.manual_seed(0)


@pytest.fixture
def small_clip(tmp_path: Path) -> Callable[..., Path]:
    """``small_clip(name, rate=25, frames=25, timecode=None)``: a clip in the test's folder."""

    def make(name: str, *, rate: int = 25, frames: int = 25, timecode: str | None = None) -> Path:
        return write_small_clip(tmp_path / name, rate=rate, frames=frames, timecode=timecode)

    return make
