"""Backup encryption, built only from the ``cryptography`` package's primitives.

* Key: scrypt (N=2**17, r=8, p=1: 128 MiB, about half a second) turns the passphrase and a
  random 16-byte salt into a master key; HKDF-SHA256 derives three independent 32-byte keys
  from it, one for the files, one for the manifest's MAC and one for a key check.
* Files: each is sealed with AES-256-GCM under a random 96-bit nonce, with the file's path in
  the backup as associated data (a file cannot be renamed or swapped for another one). Stored
  as ``MAGIC | nonce | ciphertext | tag``; the tag is checked before the plaintext is used.
* Manifest: stays readable (it holds no patient data) and carries an HMAC-SHA256 over its
  canonical JSON, so an edited manifest is refused; the key check tells a wrong passphrase
  apart from an edited manifest.

Every backup has its own salt, so its own keys: files from another backup never decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

SCHEME = "scrypt+hkdf-sha256+aes-256-gcm/1"
MAGIC = b"KCB1"
NONCE_BYTES = 12
TAG_BYTES = 16
SALT_BYTES = 16
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
MAX_SCRYPT_N = 2**20  # a manifest asking for more is refused (memory)
CHUNK_BYTES = 1 << 20
MIN_PASSPHRASE_CHARS = 12


class DecryptionFailed(Exception):
    """The file fails authentication: damaged, truncated, tampered, or another key."""


@dataclass(frozen=True)
class Keys:
    files: bytes
    manifest: bytes
    check: bytes

    def key_check(self) -> str:
        return hmac.new(self.check, b"ketaclinic backup key check", hashlib.sha256).hexdigest()

    def mac(self, data: bytes) -> str:
        return hmac.new(self.manifest, data, hashlib.sha256).hexdigest()


def new_parameters() -> dict[str, Any]:
    return {
        "scheme": SCHEME,
        "kdf": "scrypt",
        "salt": base64.b64encode(os.urandom(SALT_BYTES)).decode(),
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
    }


def derive(passphrase: bytes, parameters: dict[str, Any]) -> Keys:
    """The keys for ``parameters`` (as stored in the manifest); raises ValueError if unusable."""
    if parameters.get("scheme") != SCHEME or parameters.get("kdf") != "scrypt":
        raise ValueError(f"unknown encryption scheme {parameters.get('scheme')!r}")
    n, r, p = int(parameters["n"]), int(parameters["r"]), int(parameters["p"])
    if not (2 <= n <= MAX_SCRYPT_N and 1 <= r <= 32 and 1 <= p <= 16):
        raise ValueError("scrypt parameters out of range")
    salt = base64.b64decode(parameters["salt"], validate=True)
    master = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase)

    def subkey(purpose: bytes) -> bytes:
        info = b"ketaclinic-backup/1 " + purpose
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    return Keys(files=subkey(b"files"), manifest=subkey(b"manifest"), check=subkey(b"check"))


def _aad(relative_path: str) -> bytes:
    return b"ketaclinic-backup/1\x00" + relative_path.encode()


@dataclass(frozen=True)
class Sealed:
    plain_size: int
    plain_sha256: str


def encrypt_file(source: Path, target: Path, key: bytes, relative_path: str) -> Sealed:
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(_aad(relative_path))
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reader, target.open("xb") as writer:
        writer.write(MAGIC + nonce)
        while chunk := reader.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
            writer.write(encryptor.update(chunk))
        writer.write(encryptor.finalize())
        writer.write(encryptor.tag)
        writer.flush()
        os.fsync(writer.fileno())
    return Sealed(size, digest.hexdigest())


def decrypt_file(source: Path, target: Path, key: bytes, relative_path: str) -> Sealed:
    """Decrypt into ``target`` (created, never overwritten); removed again on any failure."""
    total = source.stat().st_size
    body = total - len(MAGIC) - NONCE_BYTES - TAG_BYTES
    with source.open("rb") as reader, target.open("xb") as writer:
        try:
            sealed = _decrypt(reader, writer, key, relative_path, body)
        except BaseException:
            writer.close()
            target.unlink(missing_ok=True)
            raise
    return sealed


def _decrypt(reader: BinaryIO, writer: BinaryIO, key: bytes, path: str, body: int) -> Sealed:
    header = reader.read(len(MAGIC) + NONCE_BYTES)
    if body < 0 or header[: len(MAGIC)] != MAGIC:
        raise DecryptionFailed("is not an encrypted backup file, or is truncated")
    reader.seek(len(MAGIC) + NONCE_BYTES + body)
    tag = reader.read(TAG_BYTES)
    reader.seek(len(MAGIC) + NONCE_BYTES)
    cipher = Cipher(algorithms.AES(key), modes.GCM(header[len(MAGIC) :], tag))
    decryptor = cipher.decryptor()
    decryptor.authenticate_additional_data(_aad(path))
    digest = hashlib.sha256()
    size = 0
    remaining = body
    while remaining > 0:
        chunk = reader.read(min(CHUNK_BYTES, remaining))
        if not chunk:
            raise DecryptionFailed("is truncated")
        remaining -= len(chunk)
        plain = decryptor.update(chunk)
        digest.update(plain)
        size += len(plain)
        writer.write(plain)
    try:
        writer.write(decryptor.finalize())
    except InvalidTag:
        raise DecryptionFailed("fails authentication (damaged or tampered)") from None
    writer.flush()
    os.fsync(writer.fileno())
    return Sealed(size, digest.hexdigest())
