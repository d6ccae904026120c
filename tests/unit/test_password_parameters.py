"""The shipped password hashing is strong. The test process hashes with argon2id at its
cheapest cost (tests/conftest.py, for speed); these tests undo that and check what `serve`
and `lifeline users` really use."""

from __future__ import annotations

import argon2
import pytest

from lifeline.adapters.crypto import passwords


@pytest.fixture
def shipped_hasher(monkeypatch: pytest.MonkeyPatch) -> passwords.Argon2Passwords:
    monkeypatch.setattr(passwords, "PasswordHasher", argon2.PasswordHasher)
    return passwords.Argon2Passwords()


def test_passwords_are_hashed_with_argon2id_at_a_strong_cost(
    shipped_hasher: passwords.Argon2Passwords,
) -> None:
    hashed = shipped_hasher.hash("correct horse battery staple")
    params = argon2.extract_parameters(hashed)
    assert params.type is argon2.Type.ID
    # RFC 9106's second recommended option: 64 MiB, 3 passes
    assert params.memory_cost >= 64 * 1024 and params.time_cost >= 3
    assert shipped_hasher.verify(hashed, "correct horse battery staple")
    assert not shipped_hasher.verify(hashed, "correct horse battery stapler")


def test_a_hash_made_at_another_cost_still_verifies(
    shipped_hasher: passwords.Argon2Passwords,
) -> None:
    cheap = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("s3cret")
    assert shipped_hasher.verify(cheap, "s3cret")
    assert not shipped_hasher.verify(cheap, "s3cret!")
    assert not shipped_hasher.verify("not a hash", "s3cret")
