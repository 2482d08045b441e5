"""The model package says what it downloads and what the licence allows."""

from __future__ import annotations

from pathlib import Path

from foleyline.server.engines.thinksound import files


def test_package_holds_every_file_the_engine_reads() -> None:
    names = {f.local_name for f in files.PACKAGE.files}
    assert set(files.REQUIRED) <= names
    assert all(f.hf_repo and f.hf_filename for f in files.PACKAGE.files)
    assert files.PACKAGE.name == files.PACKAGE_NAME == "thinksound"


def test_licence_says_research_and_education_only_plainly() -> None:
    licence = files.PACKAGE.licence
    assert "RESEARCH AND EDUCATIONAL PURPOSES ONLY" in licence
    assert "commercial use is NOT permitted" in licence
    assert "Stability AI" in licence


def test_missing_files_lists_what_is_absent(tmp_path: Path) -> None:
    assert files.missing_files(tmp_path) == list(files.REQUIRED)
    (tmp_path / files.VAE_FILE).write_bytes(b"x")
    assert files.VAE_FILE not in files.missing_files(tmp_path)


def test_package_folder_is_under_the_models_dir(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FOLEYLINE_MODELS_DIR", str(tmp_path))
    assert files.package_dir() == tmp_path / "thinksound"
