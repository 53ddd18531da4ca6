"""What the site's browser script does before a code goes to a new number (core.challenge)."""

from __future__ import annotations

from wulian.core.challenge import new_challenge, solve


def solved() -> dict[str, str]:
    challenge = new_challenge()
    return {"challenge": challenge, "nonce": solve(challenge)}
