"""Data export and forget, checked against the whole schema (new tables are covered)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import String, Text, select

from bot.features.identity.service import EXPORT_FORMAT
from bot.model import MemberRecord, Ref
from bot.ports import Directory, PersonData
from bot.testing import Harness
from storage.schema import IMPERSONAL_TABLES, PERSONAL_COLUMNS, load_all


def test_every_table_declares_whether_it_holds_people() -> None:
    metadata = load_all()
    undeclared = [
        t.name
        for t in metadata.sorted_tables
        if t.name not in PERSONAL_COLUMNS and t.name not in IMPERSONAL_TABLES
    ]
    assert not undeclared, f"declare with storage.schema.personal/impersonal: {undeclared}"
    for name, columns in PERSONAL_COLUMNS.items():
        table = metadata.tables[name]
        for column in columns:
            assert column in table.c, f"{name}.{column} is declared personal but does not exist"


async def _record(h: Harness, ref: Ref) -> MemberRecord:
    async with h.runtime.storage.unit_of_work() as uow:
        found = await uow.get(Directory).get(ref)
    assert found is not None
    return found


async def _busy_day(h: Harness) -> None:
    """Carol and others use the community: every feature gets rows to hold."""
    await h.command("carol", "/language en")  # a stored preference (English: asserted below)
    await h.command("carol", "/timezone Europe/Riga")
    await h.say("carol", "hello", channel="help")
    await h.say("bob", "welcome carol", channel="help")
    await h.react("bob", 1, "🎉")
    await h.command("carol", "/link")


async def test_export_contains_every_personal_row() -> None:
    async with Harness() as h:
        await _busy_day(h)
        await h.command("carol", "/mydata export")
        dm = h.dms("carol")[-1]
        assert dm.attachments and dm.attachments[0].filename.endswith(".json")
        data = json.loads(dm.attachments[0].data)
        assert data["format"] == EXPORT_FORMAT
        assert [a["name"] for a in data["accounts"]] == ["carol"]
        assert data["accounts"][0]["workspace"] == "test"
        assert data["accounts"][0]["workspace_name"] == "Agora community"
        assert data["person"]["timezone"] == "Europe/Riga"
        carol = await _record(h, h.ref("carol"))
        async with h.runtime.storage.unit_of_work() as uow:
            expected = await uow.get(PersonData).dump(carol.person_id, [carol.ref])
        assert data["tables"].keys() == expected.keys()
        assert "activity" in data["tables"] and "link_codes" in data["tables"]
        assert all(r["person_id"] == carol.person_id for r in data["tables"]["activity"])
        assert "hello" not in dm.attachments[0].data.decode()  # content is never stored


async def _identifying_cells(h: Harness, person_id: int, refs: list[Ref]) -> list[str]:
    """Scan every table, personal or not, for the person's id or account refs."""
    metadata = load_all()
    needles = {str(r) for r in refs} | {r.id for r in refs}
    found: list[str] = []
    async with h.runtime.storage.connection() as conn:
        for table in metadata.sorted_tables:
            rows = (await conn.execute(select(table))).mappings().all()
            for row in rows:
                for column in table.c:
                    value: Any = row[column.name]
                    personal = column.name in PERSONAL_COLUMNS.get(table.name, ())
                    if personal and value == person_id:
                        found.append(f"{table.name}.{column.name}={value}")
                    elif (
                        isinstance(column.type, String | Text)
                        and isinstance(value, str)
                        and any(n in value for n in needles)
                    ):
                        found.append(f"{table.name}.{column.name}={value[:40]}")
    return found


async def test_forget_leaves_nothing_that_identifies_the_person(db_url: str) -> None:
    async with Harness(storage_url=db_url) as h:
        await _busy_day(h)
        carol = await _record(h, h.ref("carol"))
        bob = await _record(h, h.ref("bob"))
        assert await _identifying_cells(h, carol.person_id, [carol.ref])
        out = await h.command("carol", "/mydata forget")
        assert "cannot be undone" in out[0].text
        await h.click("carol", "Forget me")
        assert "everything Agora knew about you is erased" in h.last(to="carol").text
        assert await _identifying_cells(h, carol.person_id, [carol.ref]) == []
        async with h.runtime.storage.unit_of_work() as uow:
            assert await uow.get(PersonData).remaining(carol.person_id, [carol.ref]) == {}
            assert await uow.get(Directory).get(bob.ref) is not None  # others untouched
        # Carol keeps chatting: Agora starts from zero with a new person.
        await h.say("carol", "still here")
        assert (await _record(h, h.ref("carol"))).person_id != carol.person_id


async def test_cancel_erases_nothing() -> None:
    async with Harness() as h:
        await _busy_day(h)
        carol = await _record(h, h.ref("carol"))
        await h.command("carol", "/mydata forget")
        await h.click("carol", "Cancel")
        assert "Nothing was erased" in h.last(to="carol").text
        assert await _identifying_cells(h, carol.person_id, [carol.ref])


async def test_forget_covers_linked_accounts_on_every_platform(db_url: str) -> None:
    import re

    async with Harness(storage_url=db_url) as h:
        slack = await h.add_platform("slack")
        code = re.search(r"code is (\w+)", (await h.command("carol", "/link"))[0].text)
        assert code
        await h.on(slack, slack.command("carol", "general", f"/link {code.group(1)}"))
        await h.on(slack, slack.say("carol", "general", "hi from slack"))
        carol = await _record(h, h.ref("carol"))
        refs = [h.ref("carol"), slack.member("carol").ref]
        await h.on(slack, slack.command("carol", "general", "/mydata forget"))
        await h.on(slack, slack.click("carol", "Forget me"))
        assert await _identifying_cells(h, carol.person_id, refs) == []
