"""Backup encryption: a sealed file opens only whole, under its own name, with its own key."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from ketaclinic.ops import crypto

NAME = "media/clinic-logos/logo.png"


@pytest.fixture(scope="module")
def keys() -> crypto.Keys:
    return crypto.derive(b"a long enough backup passphrase", _quick_parameters())


def _quick_parameters() -> dict:
    """A cheap scrypt cost: the cost is read from the manifest, the code path is the same."""
    return {**crypto.new_parameters(), "n": 2**10}


def _sealed(tmp_path: Path, keys: crypto.Keys, size: int = 3 * crypto.CHUNK_BYTES + 17) -> Path:
    plain = tmp_path / "plain"
    plain.write_bytes(os.urandom(size))
    sealed = tmp_path / "sealed"
    info = crypto.encrypt_file(plain, sealed, keys.files, NAME)
    assert info.plain_size == size
    assert info.plain_sha256 == hashlib.sha256(plain.read_bytes()).hexdigest()
    assert sealed.stat().st_size == size + len(crypto.MAGIC) + crypto.NONCE_BYTES + 16
    return sealed


def test_a_sealed_file_opens_to_the_same_bytes(tmp_path: Path, keys: crypto.Keys) -> None:
    sealed = _sealed(tmp_path, keys)
    opened = tmp_path / "opened"
    info = crypto.decrypt_file(sealed, opened, keys.files, NAME)
    assert opened.read_bytes() == (tmp_path / "plain").read_bytes()
    assert info.plain_sha256 == hashlib.sha256(opened.read_bytes()).hexdigest()


@pytest.mark.parametrize("damage", ["flip", "truncate", "rename", "other key"])
def test_a_damaged_renamed_or_foreign_file_is_refused_and_nothing_is_left(
    tmp_path: Path, keys: crypto.Keys, damage: str
) -> None:
    sealed = _sealed(tmp_path, keys)
    data = bytearray(sealed.read_bytes())
    name, key = NAME, keys.files
    if damage == "flip":
        data[len(data) // 2] ^= 0x80
    elif damage == "truncate":
        data = data[: len(data) - 100]
    elif damage == "rename":
        name = "media/clinic-logos/other.png"
    else:
        key = crypto.derive(b"a long enough backup passphrase", _quick_parameters()).files
    sealed.write_bytes(bytes(data))
    opened = tmp_path / "opened"
    with pytest.raises(crypto.DecryptionFailed, match="fails authentication"):
        crypto.decrypt_file(sealed, opened, key, name)
    assert not opened.exists()


def test_a_file_too_short_to_be_sealed_is_refused(tmp_path: Path, keys: crypto.Keys) -> None:
    short = tmp_path / "short"
    short.write_bytes(crypto.MAGIC + b"tiny")
    with pytest.raises(crypto.DecryptionFailed, match="truncated"):
        crypto.decrypt_file(short, tmp_path / "opened", keys.files, NAME)
    assert not (tmp_path / "opened").exists()


def test_keys_depend_on_passphrase_and_salt_and_parameters_are_bounded() -> None:
    parameters = _quick_parameters()
    one = crypto.derive(b"passphrase one, long", parameters)
    assert crypto.derive(b"passphrase one, long", parameters) == one
    assert crypto.derive(b"passphrase two, long", parameters).key_check() != one.key_check()
    resalted = _quick_parameters()
    assert crypto.derive(b"passphrase one, long", resalted).files != one.files
    assert len({one.files, one.manifest, one.check}) == 3
    with pytest.raises(ValueError, match="out of range"):
        crypto.derive(b"x", {**parameters, "n": 2**30})
