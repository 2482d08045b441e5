"""``foleyline models pull|verify``: download a package's files into the model folder, check
their sha256, and record what was installed (``.foleyline-files.json`` in the package folder).

Files come from the Hugging Face hub through ``huggingface_hub.hf_hub_download`` or from an
upstream URL (any scheme urllib opens, including ``file://``). Each download lands in a staging
folder inside the package folder and is moved into place only after its checksum matched.
Where the catalog names no checksum (``sha256=None``), a hub file is checked against the sha256
and size the hub publishes for it (a large file's LFS object id is its content's sha256); where
nothing is published the pull says so. Either way it records the hash of what it installed, so
``verify`` can later detect corruption. A sharded checkpoint's index
(``*.safetensors.index.json``) is read as soon as it is in place: shards it names that the
package does not list stop the pull before the large downloads (upstream changed its files).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from foleyline.errors import InvalidInput, PermissionDenied, Unavailable
from foleyline.server.models import licence
from foleyline.fsutil import replace_durably, write_text_atomic
from foleyline.server.models.catalog import ModelFile, ModelPackage
from foleyline.server.models.packages import package_dir

__all__ = ["FileStatus", "RECORD_NAME", "pull_package", "sha256_of", "verify_package"]

RECORD_NAME = ".foleyline-files.json"
Say = Callable[[str], None]


def hf_hub_download(**kwargs) -> str:  # indirection so tests can point it at a fake hub
    from huggingface_hub import hf_hub_download as download

    return download(**kwargs)


def hf_file_metadata(*, repo_id: str, filename: str, revision: str | None = None):  # tests fake it
    from huggingface_hub import get_hf_file_metadata, hf_hub_url

    return get_hf_file_metadata(hf_hub_url(repo_id, filename, revision=revision))


def published_checksum(file: ModelFile) -> tuple[str | None, int | None]:
    """(sha256, size) the hub publishes for ``file``, or (None, None) when it publishes none
    (small files are plain git objects) or cannot be asked (offline: the pull still records)."""
    if not (file.hf_repo and file.hf_filename):
        return None, None
    try:
        meta = hf_file_metadata(repo_id=file.hf_repo, filename=file.hf_filename, revision=file.hf_revision)
    except Exception:  # offline, unreachable or unauthorised: checked against the record later
        return None, None
    etag = str(getattr(meta, "etag", "") or "").strip('"').lower()
    if not re.fullmatch(r"[0-9a-f]{64}", etag):
        return None, None
    size = getattr(meta, "size", None)
    return etag, int(size) if size is not None else None


@dataclass(frozen=True)
class FileStatus:
    local_name: str
    state: str  # "ok", "missing", "corrupt", "unchecked"
    detail: str = ""


def sha256_of(path: Path, chunk: int = 1 << 22) -> str:
    return _digests(path, chunk)[0]


def _digests(path: Path, chunk: int = 1 << 22) -> tuple[str, str]:
    """(sha256, md5) in one read: multi-GB checkpoints are read once."""
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            sha.update(block)
            md5.update(block)
    return sha.hexdigest(), md5.hexdigest()


def _read_record(folder: Path) -> dict[str, dict]:
    path = folder / RECORD_NAME
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _fetch(file: ModelFile, staging: Path) -> Path:
    """Download one file into ``staging``; return the downloaded path."""
    if file.hf_repo and file.hf_filename:
        try:
            got = hf_hub_download(
                repo_id=file.hf_repo, filename=file.hf_filename, revision=file.hf_revision,
                local_dir=str(staging),
            )
        except Exception as exc:  # network, auth, missing file: all mean "try again later"
            raise Unavailable(
                f"could not download {file.hf_filename} from the Hugging Face repo {file.hf_repo}: {exc}"
            ) from exc
        return Path(got)
    if file.url:
        target = staging / Path(file.local_name).name
        try:
            with urllib.request.urlopen(file.url) as response, open(target, "wb") as out:
                shutil.copyfileobj(response, out, length=1 << 22)
        except Exception as exc:
            raise Unavailable(f"could not download {file.url}: {exc}") from exc
        return target
    raise InvalidInput(f"model file {file.local_name} names neither a hub repo nor a URL")


def check_shard_index(package: ModelPackage, local_name: str, index: Path) -> None:
    """Refuse an index naming weight shards the package does not list: such a model could not
    load from what the pull installs."""
    try:
        weight_map = json.loads(index.read_text(encoding="utf-8")).get("weight_map", {})
        named = set(weight_map.values()) if isinstance(weight_map, dict) else set()
    except (OSError, ValueError, AttributeError) as exc:
        raise Unavailable(f"{index.name} of {package.name} is not a weight index ({exc}); "
                          f"run `foleyline models pull {package.name} --force`") from exc
    folder = Path(local_name).parent  # shards sit beside their index
    listed = {Path(f.local_name) for f in package.files}
    unknown = sorted(n for n in named if folder / n not in listed)
    if unknown:
        raise Unavailable(
            f"upstream's {index.name} for {package.name} names weight files this Foleyline does not know "
            f"({', '.join(unknown)}): the model on the hub changed its layout. Nothing more was downloaded; "
            "update Foleyline, or report it."
        )


def pull_package(
    package: ModelPackage,
    *,
    accept_licence: bool = False,
    models_root: Path | None = None,
    force: bool = False,
    say: Say = print,
) -> Path:
    """Download every missing (or, with ``force``, every) file of ``package``; return its folder.

    Raises PermissionDenied when the licence was never accepted and ``accept_licence`` is False.
    """
    if not licence.is_accepted(package):
        if not accept_licence:
            raise PermissionDenied(
                f"the {package.name} weights are licensed {package.licence_id}: {package.licence} "
                f"Read it, then run `foleyline models pull {package.name} --accept-licence` to accept it once."
            )
        licence.accept(package)
    folder = package_dir(package, models_root)
    folder.mkdir(parents=True, exist_ok=True)
    record = _read_record(folder)
    for file in package.files:
        dest = folder / file.local_name
        if dest.is_file() and not force:
            say(f"  {file.local_name}: present")
            if dest.name.endswith(".safetensors.index.json"):
                check_shard_index(package, file.local_name, dest)
            continue
        say(f"  {file.local_name}: downloading from {file.hf_repo or file.url}")
        hub_sha, hub_size = (None, None) if file.sha256 or file.md5 else published_checksum(file)
        want_sha, want_size = file.sha256 or hub_sha, file.size if file.size is not None else hub_size
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
        try:
            got = _fetch(file, staging)
            digest, md5 = _digests(got)
            for name, got_sum, want in (("sha256", digest, want_sha), ("md5", md5, file.md5)):
                if want is not None and got_sum != want.lower():
                    raise Unavailable(
                        f"{file.local_name} downloaded with {name} {got_sum}, expected {want}; "
                        "the download is corrupt or upstream changed the file. Nothing was installed; try again."
                    )
            if want_size is not None and got.stat().st_size != want_size:
                raise Unavailable(f"{file.local_name} has {got.stat().st_size} bytes, expected {want_size}; "
                                  "nothing was installed; try again")
            if hub_sha is not None:
                say(f"  {file.local_name}: matches the sha256 the hub publishes ({digest})")
            elif file.sha256 is None and file.md5 is None:
                say(f"  {file.local_name}: upstream publishes no checksum; recorded sha256 {digest}")
            dest.parent.mkdir(parents=True, exist_ok=True)
            replace_durably(got, dest)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        record[file.local_name] = {"sha256": digest, "size": dest.stat().st_size}
        write_text_atomic(folder / RECORD_NAME, json.dumps(record, indent=2, sort_keys=True) + "\n")
        if dest.name.endswith(".safetensors.index.json"):
            check_shard_index(package, file.local_name, dest)
    return folder


def verify_package(package: ModelPackage, *, models_root: Path | None = None) -> list[FileStatus]:
    """Check each file against the catalog checksum, else the one recorded at pull."""
    folder = package_dir(package, models_root)
    record = _read_record(folder)
    statuses: list[FileStatus] = []
    for file in package.files:
        path = folder / file.local_name
        if not path.is_file():
            statuses.append(FileStatus(file.local_name, "missing", f"run `foleyline models pull {package.name}`"))
            continue
        expected = (file.sha256 or record.get(file.local_name, {}).get("sha256") or "").lower()
        if not expected and not file.md5:
            statuses.append(FileStatus(file.local_name, "unchecked", "no checksum known (not installed by pull)"))
            continue
        digest, md5 = _digests(path)
        if (not expected or digest == expected) and (not file.md5 or md5 == file.md5.lower()):
            statuses.append(FileStatus(file.local_name, "ok"))
        else:
            statuses.append(FileStatus(
                file.local_name, "corrupt",
                f"checksum mismatch (sha256 {digest}, md5 {md5}); run `foleyline models pull {package.name} --force`",
            ))
    return statuses
