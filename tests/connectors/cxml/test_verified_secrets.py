"""The verified-secret cache: a secret that matched once is not hashed again; a wrong one never
hits; a profile's new hash hits none of the old entries; the cache stays within its bound."""

from __future__ import annotations

from connectors.cxml.secret import VerifiedSecrets, hash_secret, secret_matches


class CountedCheck:
    """The PBKDF2 check, counting the times the cache falls through to it."""

    def __init__(self) -> None:
        self.checks = 0

    def __call__(self, secret: str, stored: str) -> bool:
        self.checks += 1
        return secret_matches(secret, stored)


STORED = hash_secret("abracadabra", iterations=1000)


def test_a_secret_that_matched_once_is_answered_from_the_cache() -> None:
    check = CountedCheck()
    verified = VerifiedSecrets(check=check)

    assert all(verified.matches("abracadabra", STORED) for _ in range(5))
    assert check.checks == 1


def test_a_wrong_secret_never_hits_even_after_the_right_one_was_seen() -> None:
    verified = VerifiedSecrets()
    verified.matches("abracadabra", STORED)

    assert not verified.matches("abracadabrA", STORED)
    assert not verified.matches("", STORED)


def test_a_profile_given_a_new_secret_no_longer_takes_the_old_one() -> None:
    verified = VerifiedSecrets()
    verified.matches("abracadabra", STORED)
    renewed = hash_secret("open-sesame", iterations=1000)

    assert not verified.matches("abracadabra", renewed)
    assert verified.matches("open-sesame", renewed)


def test_the_cache_keeps_at_most_its_size_dropping_the_least_recently_used() -> None:
    verified = VerifiedSecrets(size=2)
    hashes = [hash_secret(f"secret-{n}", iterations=1000) for n in range(3)]
    for n, stored in enumerate(hashes):
        verified.matches(f"secret-{n}", stored)

    assert repr(verified) == "VerifiedSecrets(2 of 2)"
    assert "secret-" not in repr(verified)
