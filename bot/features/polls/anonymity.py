"""Anonymous ballots: counted once per person, never readable as "who chose what".

The problem: an anonymous poll must still stop double votes and let a member change
or take back their vote, so it has to recognise a returning voter — without keeping
anything a moderator (or anyone reading the database later) could join to a member.

The design:
- Anonymous votes live in their own table (`poll_ballots`) with no person id, no
  account, no timestamp and no surrogate key: only (poll, token, slot, option).
- The token is HMAC-SHA256(poll secret, person id). The secret is 256 random bits
  made for that poll alone, so tokens of one poll say nothing about another, and
  without the secret nobody can recompute a token from a member's id.
- At close the counts are frozen into the options, every ballot row is deleted and
  the secret is erased. From then on nothing links the poll to its voters, even for
  someone holding the database and the member list.
- While the poll is open the secret is stored with it, so votes survive a restart.
  Someone with raw database access could, during that window, recompute tokens for
  every member; nobody can through Agora: no command lists anonymous voters, exports
  do not include anonymous votes, and logs never name a voter's choice.

Forgetting a member (GDPR) moves their open-ballot votes in running polls to
ballots with a random token, so the totals others see stay right.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_BYTES = 32


def new_secret() -> str:
    return secrets.token_hex(SECRET_BYTES)


def voter_token(secret: str, person_id: int) -> str:
    """The ballot key of `person_id` in the poll (or survey) that owns `secret`."""
    message = f"agora-ballot:{person_id}".encode()
    return hmac.new(bytes.fromhex(secret), message, hashlib.sha256).hexdigest()


def random_token() -> str:
    """A ballot key that belongs to nobody (votes of forgotten members)."""
    return secrets.token_hex(SECRET_BYTES)
