"""`foleyline models pull hunyuan-foley[-xl]` against a local fake hub (no network): the
Tencent Hunyuan Community Licence is shown and must be accepted, every file is checked against
the checksum the hub publishes, installed in the release layout and recorded."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from foleyline import cli
from foleyline.server.engines.hunyuan_foley import files
from foleyline.server.models import pull
from foleyline.server.models.packages import find_package


@pytest.fixture
def hub(tmp_path, monkeypatch):
    """Every file of the HunyuanVideo-Foley packages on a fake hub, with the sha256 and size the
    hub would publish for it; ``tamper`` damages one file after its checksum was published."""
    root = tmp_path / "hub"
    published: dict[tuple[str, str], tuple[str, int]] = {}
    for name in ("hunyuan-foley", "hunyuan-foley-xl", files.FEATURES_PACKAGE):
        for f in find_package(name).files:
            data = f"{f.hf_repo}/{f.hf_filename}".encode()
            path = root / f.hf_repo / f.hf_filename
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            published[(f.hf_repo, f.hf_filename)] = (hashlib.sha256(data).hexdigest(), len(data))

    def download(*, repo_id, filename, revision=None, local_dir):
        dest = Path(local_dir) / filename
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / repo_id / filename, dest)
        return str(dest)

    def metadata(*, repo_id, filename, revision=None):
        sha, size = published[(repo_id, filename)]
        return SimpleNamespace(etag=f'"{sha}"', size=size)

    monkeypatch.setattr(pull, "hf_hub_download", download)
    monkeypatch.setattr(pull, "hf_file_metadata", metadata)

    def tamper(repo: str, filename: str) -> None:
        (root / repo / filename).write_bytes(b"damaged in transit")

    return SimpleNamespace(root=root, tamper=tamper)


def test_the_licence_terms_are_shown_and_nothing_is_pulled_before_they_are_accepted(hub, capsys):
    from foleyline.config import models_dir

    assert cli.main(["models", "pull", "hunyuan-foley-xl"]) != 0
    err = capsys.readouterr().err
    for term in ("Tencent Hunyuan Community", "European Union", "United Kingdom", "South Korea",
                 "100 million monthly active users", "improve any AI model", "--accept-licence"):
        assert term in err, term
    assert not (models_dir() / "hunyuan-foley-xl").exists()


def test_pulling_xl_installs_it_with_the_shared_features_in_the_release_layout(hub, capsys):
    from foleyline.config import models_dir

    assert cli.main(["models", "pull", "hunyuan-foley-xl", "--accept-licence"]) == 0
    out = capsys.readouterr().out
    root = models_dir()
    assert (root / "hunyuan-foley-xl" / "hunyuanvideo_foley_xl.pth").is_file()
    for name in (files.VAE_FILE, files.SYNCHFORMER_FILE, f"{files.SIGLIP_FOLDER}/config.json",
                 f"{files.CLAP_FOLDER}/vocab.json"):
        assert (root / files.FEATURES_PACKAGE / name).is_file(), name
    assert "matches the sha256 the hub publishes" in out
    # recorded: verify checks every file against what was installed
    assert cli.main(["models", "verify", "hunyuan-foley-xl"]) == 0
    assert cli.main(["models", "verify", files.FEATURES_PACKAGE]) == 0


def test_a_download_that_differs_from_the_published_checksum_is_not_installed(hub, capsys):
    from foleyline.config import models_dir

    hub.tamper(files.RELEASE_REPO, files.NETWORK_FILES["xxl"])
    assert cli.main(["models", "pull", "hunyuan-foley", "--accept-licence"]) != 0
    assert "expected" in capsys.readouterr().err
    assert not (models_dir() / "hunyuan-foley" / files.NETWORK_FILES["xxl"]).exists()


def test_both_sizes_and_the_features_are_listed_with_their_licence(capsys):
    assert cli.main(["models", "list"]) == 0
    out = capsys.readouterr().out
    for name in ("hunyuan-foley ", "hunyuan-foley-xl", files.FEATURES_PACKAGE):
        assert name in out
    assert files.LICENCE_ID in out and "needs: hunyuan-foley-features" in out
