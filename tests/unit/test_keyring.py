"""Field encryption and keyed lookup hashes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from lifeline.adapters.crypto.keyring import Keyring, KeyringError, generate_env_key


def test_values_round_trip_and_are_not_stored_in_the_clear(tmp_path: Path) -> None:
    ring, created = Keyring.load_or_create(tmp_path / "k.json")
    token = ring.encrypt("आत्महत्या 9812345678", "alerts.extracted_enc")
    assert created and token is not None
    assert "9812345678" not in token and token.startswith(f"v1.{ring.primary}.")
    assert ring.decrypt(token, "alerts.extracted_enc") == "आत्महत्या 9812345678"


def test_the_key_file_is_private_and_reloads_to_the_same_keys(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    ring, _ = Keyring.load_or_create(path)
    token = ring.encrypt("x", "t.c")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again, created = Keyring.load_or_create(path)
    assert not created and again.decrypt(token, "t.c") == "x"


def test_a_value_moved_to_another_column_fails_to_decrypt(tmp_path: Path) -> None:
    ring, _ = Keyring.load_or_create(tmp_path / "k.json")
    token = ring.encrypt("secret", "subjects.name_enc")
    with pytest.raises(KeyringError, match="fails authentication"):
        ring.decrypt(token, "subjects.phone_enc")


def test_after_rotation_old_values_still_decrypt_and_new_ones_use_the_new_key(
    tmp_path: Path,
) -> None:
    ring, _ = Keyring.load_or_create(tmp_path / "k.json")
    old = ring.encrypt("before", "t.c")
    old_kid = ring.primary
    new_kid = ring.add_primary()
    ring.save()
    reloaded, _ = Keyring.load_or_create(tmp_path / "k.json")
    assert reloaded.primary == new_kid != old_kid
    assert reloaded.decrypt(old, "t.c") == "before"
    assert reloaded.key_id_of(reloaded.encrypt("after", "t.c") or "") == new_kid


def test_lookup_hashes_are_stable_across_rotation_and_keyed(tmp_path: Path) -> None:
    ring, _ = Keyring.load_or_create(tmp_path / "k.json")
    before = ring.blind_index("account:facebook:ravi.k")
    ring.add_primary()
    assert ring.blind_index("account:facebook:ravi.k") == before
    other, _ = Keyring.load_or_create(tmp_path / "other.json")
    assert other.blind_index("account:facebook:ravi.k") != before


def test_keys_from_the_environment_list_the_encrypting_key_first() -> None:
    first, second = generate_env_key(), generate_env_key()
    ring = Keyring.from_env_value(f"{first},{second}")
    assert ring.primary == first.split(":")[0]
    old = Keyring.from_env_value(second)
    assert ring.decrypt(old.encrypt("v", "t.c"), "t.c") == "v"
    assert ring.blind_index("k") == old.blind_index("k")  # index key from the oldest key


@pytest.mark.parametrize(
    ("value", "problem"),
    [("", "empty"), ("k1:not-base64!!", "base64|32 bytes"), ("k1:AAAA", "32 bytes")],
)
def test_a_malformed_environment_key_says_what_is_wrong(value: str, problem: str) -> None:
    with pytest.raises(KeyringError, match=problem):
        Keyring.from_env_value(value)


def test_a_value_under_an_unknown_key_names_the_key(tmp_path: Path) -> None:
    ring, _ = Keyring.load_or_create(tmp_path / "a.json")
    other, _ = Keyring.load_or_create(tmp_path / "b.json")
    with pytest.raises(KeyringError, match=f"needs key '{other.primary}'"):
        ring.decrypt(other.encrypt("x", "t.c"), "t.c")
