"""mTLS to Temporal is configured whole or not at all: half of it stops the process at start."""

import pytest
from pydantic import ValidationError

from infra.settings import Settings


def test_without_tls_settings_the_client_speaks_plaintext(tmp_path):
    assert Settings(data_dir=tmp_path).temporal_tls is False


@pytest.mark.parametrize(
    "given",
    [
        {"temporal_tls_cert": "client.pem"},
        {"temporal_tls_key": "client.key"},
        {"temporal_tls_ca": "ca.pem", "temporal_tls_server_name": "temporal.example"},
    ],
)
def test_half_configured_tls_is_refused_at_start(tmp_path, given):
    with pytest.raises(ValidationError, match="TLS naar Temporal is half ingesteld"):
        Settings(data_dir=tmp_path, **given)


def test_the_client_certificate_its_key_and_the_ca_are_read_from_their_files(tmp_path):
    for name in ("ca.pem", "client.pem", "client.key"):
        (tmp_path / name).write_bytes(f"PEM of {name}".encode())
    tls = Settings(
        data_dir=tmp_path,
        temporal_tls_ca=tmp_path / "ca.pem",
        temporal_tls_cert=tmp_path / "client.pem",
        temporal_tls_key=tmp_path / "client.key",
        temporal_tls_server_name="temporal-frontend.temporal.svc",
    ).temporal_tls
    assert tls.server_root_ca_cert == b"PEM of ca.pem"
    assert (tls.client_cert, tls.client_private_key) == (b"PEM of client.pem", b"PEM of client.key")
    assert tls.domain == "temporal-frontend.temporal.svc"
