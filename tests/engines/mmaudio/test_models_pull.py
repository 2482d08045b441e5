"""`foleyline models pull|verify|list` against a local fake hub and file:// URLs (no network)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from foleyline import cli
from foleyline.errors import PermissionDenied, Unavailable
from foleyline.server.models import licence, pull
from foleyline.server.models.catalog import ModelFile, ModelPackage


def _put(hub: Path, repo: str, name: str, data: bytes) -> str:
    path = hub / repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def _package(tmp_path: Path, hub: Path, *, good_sha: bool = True) -> ModelPackage:
    sha = _put(hub, "org/net", "weights/net.pth", b"network-bytes")
    url_file = tmp_path / "release" / "vae.pth"
    url_file.parent.mkdir(parents=True, exist_ok=True)
    url_file.write_bytes(b"vae-bytes")
    return ModelPackage(
        name="toy", engine="mmaudio", description="a toy package",
        files=(
            ModelFile(local_name="net.pth", sha256=sha if good_sha else "0" * 64, hf_repo="org/net",
                      hf_filename="weights/net.pth"),
            ModelFile(local_name="vae.pth", sha256=None, url=url_file.as_uri()),
        ),
        licence="Non-commercial only.", licence_id="CC-BY-NC-4.0",
    )


def test_pull_needs_the_licence_accepted_once(tmp_path, fake_hub):
    package = _package(tmp_path, fake_hub.root)
    with pytest.raises(PermissionDenied, match="--accept-licence"):
        pull.pull_package(package, models_root=tmp_path / "models", say=lambda _: None)
    assert fake_hub.calls == []  # nothing downloaded before acceptance
    pull.pull_package(package, models_root=tmp_path / "models", accept_licence=True, say=lambda _: None)
    assert licence.is_accepted(package)
    # accepted once: a later pull needs no flag
    pull.pull_package(package, models_root=tmp_path / "models", force=True, say=lambda _: None)


def test_pull_installs_files_and_records_checksums_then_verify_detects_damage(tmp_path, fake_hub):
    package = _package(tmp_path, fake_hub.root)
    messages: list[str] = []
    folder = pull.pull_package(package, models_root=tmp_path / "models", accept_licence=True, say=messages.append)
    assert (folder / "net.pth").read_bytes() == b"network-bytes"
    assert (folder / "vae.pth").read_bytes() == b"vae-bytes"
    assert any("no checksum" in m for m in messages)
    assert not any(p.name.startswith(".staging") for p in folder.iterdir())
    assert {s.state for s in pull.verify_package(package, models_root=tmp_path / "models")} == {"ok"}
    (folder / "vae.pth").write_bytes(b"tampered")
    (folder / "net.pth").unlink()
    states = {s.local_name: s.state for s in pull.verify_package(package, models_root=tmp_path / "models")}
    assert states == {"net.pth": "missing", "vae.pth": "corrupt"}


def test_checksum_mismatch_installs_nothing(tmp_path, fake_hub):
    package = _package(tmp_path, fake_hub.root, good_sha=False)
    with pytest.raises(Unavailable, match="sha256"):
        pull.pull_package(package, models_root=tmp_path / "models", accept_licence=True, say=lambda _: None)
    assert not (tmp_path / "models" / "toy" / "net.pth").exists()


def test_a_published_md5_is_checked_at_pull_and_at_verify(tmp_path, fake_hub):
    data = b"release-bytes"
    _put(fake_hub.root, "org/rel", "v1.pth", data)

    def package(md5: str) -> ModelPackage:
        return ModelPackage(name="md5toy", engine="mmaudio", description="published md5 only",
                            files=(ModelFile(local_name="v1.pth", sha256=None, md5=md5, hf_repo="org/rel",
                                             hf_filename="v1.pth"),),
                            licence="Non-commercial only.", licence_id="CC-BY-NC-4.0")

    models = tmp_path / "models"
    with pytest.raises(Unavailable, match="md5"):
        pull.pull_package(package("0" * 32), models_root=models, accept_licence=True, say=lambda _: None)
    assert not (models / "md5toy" / "v1.pth").exists()
    good = package(hashlib.md5(data).hexdigest())
    messages: list[str] = []
    pull.pull_package(good, models_root=models, say=messages.append)
    assert not any("no checksum" in m for m in messages)
    (models / "md5toy" / ".foleyline-files.json").unlink()  # verify still has the published MD5
    assert [s.state for s in pull.verify_package(good, models_root=models)] == ["ok"]
    (models / "md5toy" / "v1.pth").write_bytes(b"damaged")
    assert [s.state for s in pull.verify_package(good, models_root=models)] == ["corrupt"]


def test_every_file_mmaudio_publishes_an_md5_for_carries_it():
    from foleyline.server.engines.mmaudio import files

    declared = {f.local_name: f.md5 for p in files.PACKAGES for f in p.files}
    for name, md5 in files.PUBLISHED_MD5.items():
        assert declared[name] == md5, name


def test_hub_failure_is_unavailable_with_the_repo_named(tmp_path, fake_hub):
    package = ModelPackage(name="gone", engine="mmaudio", description="", licence="x", licence_id="X",
                           files=(ModelFile(local_name="a.bin", sha256=None, hf_repo="org/none", hf_filename="a.bin"),))
    with pytest.raises(Unavailable, match="org/none"):
        pull.pull_package(package, models_root=tmp_path / "models", accept_licence=True, say=lambda _: None)


def test_cli_pull_of_a_network_also_pulls_features_and_decoder(tmp_path, fake_hub, monkeypatch, capsys):
    from foleyline.server.engines.mmaudio import files

    # Serve every file of the small_16k chain from the fake hub / file URLs.
    release = tmp_path / "release"
    release.mkdir(exist_ok=True)
    for name in ("mmaudio-small-16k", files.FEATURES_PACKAGE, "mmaudio-decoder-16k"):
        package = next(p for p in files.PACKAGES if p.name == name)
        patched = []
        for f in package.files:
            if f.hf_repo:
                _put(fake_hub.root, f.hf_repo, f.hf_filename, f"{f.local_name}".encode())
                patched.append(ModelFile(**{**f.__dict__, "md5": None}))  # stand-in bytes, not upstream's
            else:
                (release / f.local_name).write_bytes(f.local_name.encode())
                patched.append(ModelFile(local_name=f.local_name, sha256=None, url=(release / f.local_name).as_uri()))
        monkeypatch.setattr(files, "PACKAGES", tuple(
            ModelPackage(**{**p.__dict__, "files": tuple(patched)}) if p.name == name else p for p in files.PACKAGES))
    assert cli.main(["models", "pull", "mmaudio-small-16k"]) == 2  # licence not accepted
    assert "accept" in capsys.readouterr().err
    assert cli.main(["models", "pull", "mmaudio-small-16k", "--accept-licence"]) == 0
    from foleyline.config import models_dir

    assert files.missing_files(models_dir(), "small_16k") == []
    assert cli.main(["models", "verify"]) == 0
    assert cli.main(["models", "list"]) == 0
    assert "mmaudio-small-16k" in capsys.readouterr().out


def test_cli_unknown_package_lists_the_known_ones(capsys):
    assert cli.main(["models", "pull", "no-such-model"]) == 2
    assert "mmaudio-small-16k" in capsys.readouterr().err
