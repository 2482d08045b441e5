"""Who signs the take WAVs: a local CA and signing certificate made once on first use (the key
readable by the user only), or the facility's own key and chain when configured."""

from __future__ import annotations

import stat
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from foleyline import config
from foleyline.errors import InvalidInput, PermissionDenied
from foleyline.provenance import Generation, created_manifest, read_provenance
from foleyline.server.media.bwf import BextInfo, write_bwf
from foleyline.server.signing import _make_local, credentials, sign_wav, signer_for
from fresh_imports import imported_after

MADE = Generation(engine="procedural", engine_version="1", model="m", model_licence="", seed=1,
                  notes_digest="sha256:00", take_id="take-1", take_number=1, shot="A001", layer="steps")


def _sign(folder: Path) -> Path:
    plain = write_bwf(folder / "plain.wav", np.zeros((1, 480), np.float32), 48000, bext=BextInfo())
    signed = folder / "signed.wav"
    sign_wav(plain, signed, created_manifest(MADE, "A001 steps take 1"), credentials())
    return signed


def test_the_local_credentials_are_made_once_with_a_private_key_and_a_proper_chain() -> None:
    first = credentials()
    folder = config.c2pa_dir()
    assert stat.S_IMODE((folder / "key.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert credentials() == first  # made once
    leaf, ca = x509.load_pem_x509_certificates(first.chain_pem)
    assert leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    assert leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier == ski
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not list(folder.parent.glob(".c2pa.*"))  # nothing left from making them


def test_local_credentials_that_cannot_be_made_name_the_setting_to_change(tmp_path: Path, monkeypatch) -> None:
    # A file where the config folder should be: unwritable even for root, as a read-only home is.
    (tmp_path / "home").write_text("", encoding="utf-8")
    monkeypatch.setattr(config, "c2pa_dir", lambda: tmp_path / "home" / "config" / "c2pa")
    with pytest.raises(PermissionDenied, match="cannot make the signing credentials .*FOLEYLINE_CONFIG_DIR"):
        credentials()


def test_signing_with_a_chain_already_made_loads_no_cryptography(tmp_path: Path) -> None:
    credentials()  # the local chain, made once (that needs cryptography)
    code = f"""
        from pathlib import Path
        import numpy as np
        from foleyline.provenance import Generation, created_manifest
        from foleyline.server.media.bwf import BextInfo, write_bwf
        from foleyline.server.signing import credentials, sign_wav
        plain = write_bwf(Path({str(tmp_path / "plain.wav")!r}), np.zeros((1, 480), np.float32), 48000, bext=BextInfo())
        sign_wav(plain, Path({str(tmp_path / "signed.wav")!r}), created_manifest({MADE!r}, "A001 steps take 1"), credentials())
    """
    assert imported_after(code, ("cryptography",)) == []
    assert read_provenance(tmp_path / "signed.wav", anchors="").state == "valid"


def test_the_facilitys_key_and_chain_sign_when_configured(tmp_path: Path, monkeypatch) -> None:
    facility = tmp_path / "facility"
    _make_local(facility)  # stands in for the facility's own CA and signer
    monkeypatch.setenv("FOLEYLINE_C2PA_KEY", str(facility / "key.pem"))
    monkeypatch.setenv("FOLEYLINE_C2PA_CERTS", str(facility / "chain.pem"))
    signed = _sign(tmp_path)
    assert not config.c2pa_dir().exists()  # no local CA made
    assert read_provenance(signed, anchors="").state == "valid"
    assert read_provenance(signed, anchors=(facility / "ca.pem").read_text()).state == "trusted"
    monkeypatch.setenv("FOLEYLINE_C2PA_TRUST", str(facility / "ca.pem"))
    assert read_provenance(signed).state == "trusted"


def test_half_a_facility_configuration_or_a_bad_key_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FOLEYLINE_C2PA_KEY", str(tmp_path / "key.pem"))
    with pytest.raises(InvalidInput, match="set both c2pa_key .* FOLEYLINE_C2PA_KEY"):
        credentials()
    (tmp_path / "key.pem").write_text("not a key")
    (tmp_path / "chain.pem").write_text("not a chain")
    monkeypatch.setenv("FOLEYLINE_C2PA_CERTS", str(tmp_path / "chain.pem"))
    with pytest.raises(InvalidInput, match="not an unencrypted PEM private key"):
        credentials()


def test_a_threads_signer_is_kept_for_its_next_shots_and_made_again_for_new_credentials(tmp_path) -> None:
    creds = credentials()
    first = signer_for(creds)
    assert signer_for(creds) is first  # the key and chain are not parsed again
    other = {}
    thread = threading.Thread(target=lambda: other.update(made=signer_for(creds)))
    thread.start()
    thread.join()
    assert other["made"] is not first  # a signer is never shared between threads
    _make_local(tmp_path / "facility")
    facility = replace(creds, key_pem=(tmp_path / "facility" / "key.pem").read_bytes(),
                       chain_pem=(tmp_path / "facility" / "chain.pem").read_bytes())
    changed = signer_for(facility)
    assert changed is not first
    plain = write_bwf(tmp_path / "plain.wav", np.zeros((1, 480), np.float32), 48000, bext=BextInfo())
    sign_wav(plain, tmp_path / "signed.wav", created_manifest(MADE, "A001 steps take 1"), facility, signer=changed)
    anchor = (tmp_path / "facility" / "ca.pem").read_text()
    assert read_provenance(tmp_path / "signed.wav", anchors=anchor).state == "trusted"  # signed with the new key
