"""Anonymous polls: one vote per member, yet nothing in storage links a vote to anyone."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select

from bot.model import MemberRecord
from bot.ports import Directory
from bot.testing import Harness
from storage.schema import load_all
from storage.tables.polls import poll_ballots, poll_votes, polls

POLL = '/poll "Is the new logo better?" "Yes" "No" --anonymous --closes 1d'


async def records(h: Harness, *names: str) -> list[MemberRecord]:
    async with h.runtime.storage.unit_of_work() as uow:
        found = [await uow.get(Directory).get(h.ref(n)) for n in names]
    assert all(found)
    return [f for f in found if f is not None]


async def rows(h: Harness, table: Any) -> list[dict[str, Any]]:
    async with h.runtime.storage.connection() as conn:
        return [dict(r) for r in (await conn.execute(select(table))).mappings()]


def identifiers(member: MemberRecord) -> set[str]:
    """Everything one could join on: ids, refs, names, and naive hashes of them."""
    plain = {str(member.person_id), str(member.ref), member.ref.id, member.name}
    hashed = {hashlib.sha256(p.encode()).hexdigest() for p in plain}
    hashed |= {hashlib.md5(p.encode()).hexdigest() for p in plain}
    return plain | hashed


async def test_anonymous_ballots_hold_no_member_and_no_time() -> None:
    async with Harness() as h:
        await h.command("alice", POLL)
        await h.click("carol", "Yes")
        await h.click("bob", "No")
        await h.click("bob", "Yes")  # changing works: still one ballot for bob
        assert "1. Yes  ██████████ 2 · 100%" in h.sent[0].text
        assert await rows(h, poll_votes) == []
        ballots = await rows(h, poll_ballots)
        assert len(ballots) == 2
        # The table has no column that could identify or order voters.
        assert set(poll_ballots.c.keys()) == {"poll_id", "voter", "slot", "option"}
        people = await records(h, "alice", "bob", "carol")
        every_id = set().union(*(identifiers(p) for p in people))
        for ballot in ballots:
            assert ballot["voter"] not in every_id
            assert not any(i in ballot["voter"] for i in every_id if len(i) >= 8)
        # Tokens are per poll: the same member gets an unrelated token in another poll.
        await h.command("alice", POLL)
        await h.click("carol", "Yes")
        tokens = {b["poll_id"]: b["voter"] for b in await rows(h, poll_ballots)}
        assert len(set(tokens.values())) == len(tokens)


async def test_close_deletes_ballots_and_the_secret() -> None:
    async with Harness() as h:
        await h.command("alice", POLL)
        await h.click("carol", "Yes")
        await h.click("bob", "No")
        (poll,) = await rows(h, polls)
        assert poll["secret"] and len(poll["secret"]) == 64
        await h.tick("1d")
        assert await rows(h, poll_ballots) == []
        (poll,) = await rows(h, polls)
        assert poll["secret"] is None and poll["voters"] == 2
        results = [p.text for p in h.sent if p.text.startswith("📊 Results of poll #1")]
        assert "1. Yes 🏆 — 1 vote (50%)" in results[0]


async def test_no_poll_table_joins_an_anonymous_vote_to_a_member() -> None:
    """After voting, no column of any poll table holds carol's id, ref, name or a hash."""
    async with Harness() as h:
        await h.command("alice", POLL)
        await h.click("carol", "No")
        (carol,) = await records(h, "carol")
        needles = identifiers(carol)
        tables = [t for t in load_all().sorted_tables if t.name.startswith("poll")]
        async with h.runtime.storage.connection() as conn:
            for table in tables:
                for row in (await conn.execute(select(table))).mappings():
                    for column, value in row.items():
                        where = f"{table.name}.{column}"
                        if column.endswith("person_id"):
                            assert value != carol.person_id, where
                        if isinstance(value, str):
                            assert value not in needles, where
                            assert not any(n in value for n in needles if len(n) >= 8), where


async def test_nobody_can_list_anonymous_voters_or_export_their_vote() -> None:
    async with Harness() as h:
        await h.command("alice", POLL)
        await h.click("carol", "No")
        out = await h.command("alice", "/poll voters 1")
        assert "anonymous: nobody can see who voted for what" in out[0].text
        await h.command("carol", "/mydata export")
        export = h.dms("carol")[-1].attachments[0].data.decode()
        assert "Is the new logo better?" not in export
        assert "poll_ballots" not in export
        assert "anonymous polls" in export  # the export says why they are missing


async def test_anonymous_poll_message_says_so() -> None:
    async with Harness() as h:
        await h.command("alice", POLL)
        text = h.sent[0].text
        assert "anonymous" in text and "Nobody, moderators included" in text
