"""Test service-account keys: a real RSA key, a JSON key file whose ``token_uri``
points at the fake, so google-auth's real signing path runs offline."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

TEST_EMAIL = "bukutamu-uji@bukutamu-uji.iam.gserviceaccount.com"


@dataclass(frozen=True)
class TestKey:
    path: Path
    client_email: str
    public_key: rsa.RSAPublicKey


@lru_cache(maxsize=4)
def _private_key(slot: int = 0) -> rsa.RSAPrivateKey:
    """RSA generation is slow-ish; one key per slot per test process is enough."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_key_file(directory: Path, token_uri: str, *, client_email: str = TEST_EMAIL,
                  slot: int = 0, name: str = "service-account.json") -> TestKey:
    key = _private_key(slot)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    info = {
        "type": "service_account",
        "project_id": "bukutamu-uji",
        "private_key_id": secrets.token_hex(20),
        "private_key": pem,
        "client_email": client_email,
        "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/" + client_email,
        "universe_domain": "googleapis.com",
    }
    path = Path(directory) / name
    path.write_text(json.dumps(info, indent=2), encoding="utf-8")
    path.chmod(0o600)
    return TestKey(path, client_email, key.public_key())
