"""A proof of work a browser does before an action that costs us (a text message to a number
with no account): no CDN, no third party, no puzzle for the person.

The page carries a signed challenge `bits:random:time:signature`; the site's script
(`wulian/challenge.js`) finds a nonce such that SHA-256("challenge:nonce") starts with `bits`
zero bits (about 2**bits tries: a fraction of a second on a phone, a real cost for a script
sending thousands) and sends it with the form. A challenge is good for CHALLENGE_MAX_AGE
seconds and for one use.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wulian.core.errors import DomainError
from wulian.core.models import Submission

SALT = "wulian.core.challenge"
MAX_NONCE_LENGTH = 20


def _bits() -> int:
    return int(getattr(settings, "CHALLENGE_BITS", 16))


def new_challenge() -> str:
    return signing.TimestampSigner(salt=SALT).sign(f"{_bits()}:{secrets.token_hex(8)}")


def _has_work(challenge: str, nonce: str, bits: int) -> bool:
    digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
    return int.from_bytes(digest, "big") >> (256 - bits) == 0


def solve(challenge: str) -> str:
    """What the browser does (for tests and scripts of our own)."""
    bits = int(challenge.split(":", 1)[0])
    nonce = 0
    while not _has_work(challenge, str(nonce), bits):
        nonce += 1
    return str(nonce)


def check_proof(challenge: str, nonce: str) -> None:
    """Accept a solved, fresh, unused challenge of the current difficulty, or refuse."""
    refusal = DomainError(
        "challenge.failed",
        _(
            "Your browser could not confirm this request. Make sure JavaScript is on, "
            "reload the page and try again."
        ),
    )
    max_age = int(getattr(settings, "CHALLENGE_MAX_AGE", 15 * 60))
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(challenge, max_age=max_age)
    except signing.BadSignature as exc:
        raise refusal from exc
    bits_text, _sep, random_part = value.partition(":")
    if (
        not bits_text.isdigit()
        or int(bits_text) < _bits()
        or not nonce.isdigit()
        or len(nonce) > MAX_NONCE_LENGTH
        or not _has_work(challenge, nonce, int(bits_text))
    ):
        raise refusal
    try:
        with transaction.atomic():
            Submission.objects.create(owner="challenge", key=f"challenge:{random_part}")
    except IntegrityError as exc:
        raise refusal from exc
