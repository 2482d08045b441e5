"""Who signs the WAVs' C2PA manifests, and signing one.

The facility's own key and certificate chain when configured (``FOLEYLINE_C2PA_KEY`` and
``FOLEYLINE_C2PA_CERTS``); otherwise a local CA and a signing certificate made here on first
use, in ``<config dir>/c2pa``:

    ca.pem      "Foleyline local CA" (P-256, self-signed, keyCertSign): the trust anchor a
                reader on this machine uses (``foleyline provenance``); its key is thrown away
                once the leaf is signed, so nothing here can mint another certificate
    chain.pem   the signing certificate (digitalSignature, extended key usage
                emailProtection, subject and authority key identifiers) then the CA
    key.pem     the signing key, PKCS#8, readable by the user only (0600)

Files signed with the local CA validate anywhere ("valid": the signature and every hashed byte
check out) and are "trusted" where ca.pem is a trust anchor. A facility that wants its files
trusted elsewhere configures its own chain.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from foleyline import config
from foleyline.errors import InvalidInput, PermissionDenied
from foleyline.provenance import WAV_MIME

__all__ = ["Credentials", "Signing", "credentials", "sign_wav", "signer_for"]

_CA_YEARS, _LEAF_YEARS = 30, 20  # no timestamp authority offline: validity must outlast the files
_lock = threading.Lock()


@dataclass(frozen=True)
class Credentials:
    algorithm: str        # "es256", "es384", "es512", "ps256", "ed25519"
    chain_pem: bytes      # leaf first
    key_pem: bytes
    source: str           # "local CA <folder>" or "facility <file>"


def _make_local(folder: Path) -> None:
    """A CA and a signing certificate in ``folder`` (which must not exist yet)."""
    # cryptography (~25 ms to import) only here and for a facility key: signing with a chain
    # already made reads its PEM files and hands them to c2pa.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(common_name: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Foleyline")])

    def usage(*, sign: bool) -> x509.KeyUsage:
        return x509.KeyUsage(digital_signature=sign, content_commitment=False, key_encipherment=False,
                             data_encipherment=False, key_agreement=False, key_cert_sign=not sign, crl_sign=not sign,
                             encipher_only=False, decipher_only=False)

    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = name(f"Foleyline local CA ({os.uname().nodename})" if hasattr(os, "uname") else "Foleyline local CA")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now)
          .not_valid_after(now + dt.timedelta(days=365 * _CA_YEARS))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(usage(sign=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(name("Foleyline take signer")).issuer_name(ca_name)
            .public_key(leaf_key.public_key()).serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=365 * _LEAF_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(sign=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    folder.mkdir(mode=0o700)
    key = leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(folder / "key.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    (folder / "chain.pem").write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))


def _local() -> Credentials:
    folder = config.c2pa_dir()
    with _lock:
        if not (folder / "key.pem").is_file():
            try:
                folder.parent.mkdir(parents=True, exist_ok=True)
                # made aside and renamed into place: two servers starting at once keep one of them
                staging = Path(tempfile.mkdtemp(prefix=".c2pa.", dir=folder.parent))
            except OSError as exc:  # a read-only home folder (a service account, a CI runner)
                raise PermissionDenied(
                    f"cannot make the signing credentials in {folder} ({exc.strerror}); set config_dir "
                    "(FOLEYLINE_CONFIG_DIR) to a folder you can write, or the facility's c2pa_key and c2pa_certs") from None
            try:
                _make_local(staging / "c2pa")
                try:
                    os.rename(staging / "c2pa", folder)
                except OSError:
                    if not (folder / "key.pem").is_file():
                        raise
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    return Credentials("es256", (folder / "chain.pem").read_bytes(), (folder / "key.pem").read_bytes(),
                       f"local CA in {folder}")


def _algorithm(key_pem: bytes, path: Path) -> str:
    from cryptography.hazmat.primitives import serialization  # see _make_local
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"{path} is not an unencrypted PEM private key ({exc}); give the signing key in PEM") from None
    if isinstance(key, ec.EllipticCurvePrivateKey):
        names = {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}
        if key.curve.name in names:
            return names[key.curve.name]
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    if isinstance(key, rsa.RSAPrivateKey):
        return "ps256"
    raise InvalidInput(f"{path}: C2PA signs with P-256/384/521, Ed25519 or RSA keys; this one is {type(key).__name__}")


def credentials() -> Credentials:
    """The facility's credentials when configured, else the local ones (made on first use)."""
    facility = config.facility_signing_files()
    if facility is None:
        return _local()
    key_path, chain_path = facility
    for path in facility:
        if not path.is_file():
            raise InvalidInput(f"the signing file {path} does not exist; fix FOLEYLINE_C2PA_KEY / FOLEYLINE_C2PA_CERTS")
    key_pem = key_path.read_bytes()
    return Credentials(_algorithm(key_pem, key_path), chain_path.read_bytes(), key_pem, f"facility key {key_path}")


# c2pa reads back and verifies every file it has just signed (``verify_after_sign``): the file
# hashed a second time and the signature checked, about 40 % of signing a short take. Ours are
# signed with our own key a moment earlier, into a staging file nothing reads yet; a reader
# verifies them (``foleyline provenance``; tests/server/test_signing.py checks what signing writes).
#
# c2pa works on a copy of the file it signs, in memory below ``backing_store_memory_threshold_in_mb``
# and in a temporary file above it: at its default a 79 s stem's 11 MB copy stayed in memory on
# top of the samples it reads whole (11 MB more of the shot's peak); at 1 MB only a one-shot's
# copy does, and signing a long take took the same time (32-42 ms).
_SIGNING_SETTINGS = {"verify": {"verify_after_sign": False}, "core": {"backing_store_memory_threshold_in_mb": 1}}


@dataclass
class Signing:
    """What signs a shot's files: the C2PA signer made from the credentials, and the settings
    the builders sign under."""

    signer: Any
    context: Any


_kept = threading.local()  # each thread's signing, with the credentials it was made from


def signer_for(creds: Credentials) -> Signing:
    """This thread's C2PA signer for ``creds``, for every file it signs (a shot's WAVs): making
    one parses the key and the chain again, a sixth of what signing a short file costs. Kept for
    the thread's next shots, and made again when the credentials change (a signer is never
    shared between threads)."""
    kept = getattr(_kept, "signing", None)
    if kept is None or kept[0] != creds:
        import c2pa  # deferred: a native library, loaded by the processes that sign

        signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(creds.algorithm, creds.chain_pem, creds.key_pem, None))
        # (the one it replaces is freed once nothing holds it: a shot still signing keeps it)
        _kept.signing = (creds, Signing(signer, c2pa.Context(settings=c2pa.Settings.from_dict(_SIGNING_SETTINGS))))
    return _kept.signing[1]


def sign_wav(source: Path | bytes | BinaryIO, destination: Path, manifest: dict[str, Any], creds: Credentials,
             parent: Path | None = None, *, signer: Signing | None = None) -> None:
    """Write ``source`` (a file, an open one at its start, or the unsigned file's bytes) to ``destination`` with ``manifest``
    signed by ``creds`` (an edit of ``parent``, the signed file it was made from, when given).
    ``signer``: the caller's ``signer_for(creds)``; else this thread's is looked up.
    ``destination`` is written in place: callers sign into a staging file."""
    if signer is None:
        signer = signer_for(creds)
    import c2pa  # deferred: a native library, loaded by the processes that sign

    with c2pa.Builder(manifest, context=signer.context) as builder:
        if parent is not None:
            builder.set_intent(c2pa.C2paBuilderIntent.EDIT)
            with open(parent, "rb") as stream:
                builder.add_ingredient({"title": parent.name, "relationship": "parentOf"}, WAV_MIME, stream)
        with _readable(source) as src, open(destination, "w+b") as dst:
            builder.sign(signer.signer, WAV_MIME, src, dst)


def _readable(source: Path | bytes | BinaryIO) -> BinaryIO:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, (str, os.PathLike)):
        return open(source, "rb")
    return contextlib.nullcontext(source)  # the caller's open file: the caller closes it
