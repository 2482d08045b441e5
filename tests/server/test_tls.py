"""TLS: the server presents a certificate, clients trust it by --tls-ca; beyond loopback the
server refuses clear text unless told --insecure. The certificate is made here, self-signed."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from foleyline import cli
from foleyline.errors import InvalidInput, Unavailable
from foleyline.plugin.client import FoleyClient
from foleyline.server.app import ServerConfig, server_credentials, start_server
from foleyline.server.engines.registry import EngineRegistry
from serverkit import TOKEN, FakeEngine


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1, and its key, as PEM files."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def tls_server(certificate, tmp_path):
    cert, key = certificate
    registry = EngineRegistry.with_engines({"fake": FakeEngine()}, default="fake")
    running = start_server(ServerConfig(address="127.0.0.1:0", data_dir=tmp_path / "store", token=TOKEN,
                                        tls_cert=cert, tls_key=key), registry)
    assert running.ready.wait(60)
    yield running
    running.stop(grace=0.1)


def test_a_client_that_trusts_the_certificate_talks_tls(tls_server, certificate):
    with FoleyClient(f"127.0.0.1:{tls_server.port}", TOKEN, tls_ca=certificate[0]) as client:
        assert client.health(wait=30) == "SERVING"
        assert client.server_info().engines[0].name == "fake"


def test_a_clear_text_client_gets_no_answer_from_a_tls_server(tls_server):
    with FoleyClient(f"127.0.0.1:{tls_server.port}", TOKEN, timeout=30) as client, pytest.raises(Unavailable):
        client.server_info()


def test_the_tls_ca_setting_is_what_configured_clients_trust(tls_server, certificate, monkeypatch):
    monkeypatch.setenv("FOLEYLINE_SERVER", f"127.0.0.1:{tls_server.port}")
    monkeypatch.setenv("FOLEYLINE_TOKEN", TOKEN)
    monkeypatch.setenv("FOLEYLINE_TLS_CA", str(certificate[0]))
    with FoleyClient.configured() as client:
        assert client.tls and client.health(wait=30) == "SERVING"


@pytest.mark.parametrize("address", ["0.0.0.0:50999", "[::]:50999", "192.0.2.7:50999", "foley-gpu.example:50999"])
def test_beyond_loopback_without_tls_is_refused_unless_insecure(address):
    with pytest.raises(InvalidInput, match="--tls-cert and --tls-key, or --insecure"):
        server_credentials(ServerConfig(address=address))
    assert server_credentials(ServerConfig(address=address, insecure=True)) is None


@pytest.mark.parametrize("address", ["127.0.0.1:0", "localhost:0", "[::1]:0"])
def test_loopback_needs_no_tls(address):
    assert server_credentials(ServerConfig(address=address)) is None


def test_a_certificate_without_its_key_is_refused(certificate):
    with pytest.raises(InvalidInput, match="both a certificate and its key"):
        server_credentials(ServerConfig(address="0.0.0.0:1", tls_cert=certificate[0]))


def test_serve_refuses_a_public_address_without_tls_before_listening(capsys):
    assert cli.main(["serve", "--address", "0.0.0.0:50998"]) == 2
    assert "--insecure" in capsys.readouterr().err
