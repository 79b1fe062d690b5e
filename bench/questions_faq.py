"""Question tracking at scale: FAQ search over 100,000 solved questions, and SLA checks.

`questions_faq` — 100,000 solved questions (titles from a generator mixing the five
languages' real words with a long Zipf tail of synthetic terms) are bulk-loaded into
the index (FTS5 on SQLite, tsvector/GIN on PostgreSQL). Then queries run through the
same path `/ask` uses (`service.suggestions`: index candidates, coverage re-ranking,
links), each in its own unit of work, one after another. Target: p95 ≤ 50 ms on
SQLite. Half the queries are inflected variants of stored titles (they must find
one), half are fresh generated questions.

`questions_sla` — 10,000 open questions, each with its persisted SLA job, as after a
restart: `Scheduler.start()` re-arms them all, then a burst of them falls due at the
same instant (all 10,000 in full mode, 500 in quick mode) and each runs the real
escalation (find helpers, ping them in the thread, arm the moderator step). The
loop-lag probe watches both phases. Target: no stall over 100 ms. Every due question
must be escalated exactly once.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import Text, bindparam, func, insert, text, update

from bench.framework import (
    FAIL,
    PASS,
    POSTGRESQL,
    SQLITE,
    STORAGE_VARIANTS,
    Case,
    LoopProbe,
    Row,
    benchmark,
    measured_row,
    number,
    percentile,
)
from bench.support import BenchApp, database_url, open_app

SOLVED = 100_000
OPEN = 10_000
TARGET_P95_MS = 50.0
TARGET_STALL_MS = 100.0
LEAD = timedelta(seconds=4)
QUICK_LEAD = timedelta(seconds=2.5)  # re-arming 10,000 takes about one
BATCH = 5_000
PARKED = datetime(2100, 1, 1, tzinfo=UTC)  # due time of the burst until loading is done


def _words(text: str) -> list[str]:
    return text.split()


REAL_WORDS = _words("""password reset invoice download subscription crash upload photo login account
email billing refund export import settings profile avatar notification mobile desktop
server error timeout install update version plugin theme dark mode payment card
passord faktura konto innlogging oppdatering feilmelding abonnement bilde varsling
parole rēķins konts pieslēgties atjauninājums kļūda abonements attēls paziņojums
salasana lasku tili kirjautuminen päivitys virhe tilaus kuva ilmoitus sovellus
пароль рахунок обліковий вхід оновлення помилка підписка фото сповіщення додаток""")
FUNCTION_WORDS = _words("how do i my the why can is where what kā es jeg hvordan miten як де")
LETTERS = "abcdefghijklmnoprstuvyz"
SUFFIXES = ("", "", "s", "a", "en", "an", "i", "es", "ой", "ів")


class Titles:
    """Deterministic question titles: the five languages' words, then a long tail.

    Word frequencies follow Zipf's law over a shuffled vocabulary: the real words and
    20,000 synthetic ones (4–10 random letters, so prefixes are shared about as often
    as in a natural vocabulary, not more). A few words are in a third of all titles,
    most in a handful — the shape that makes OR-queries over an index slow.
    """

    def __init__(self, seed: int = 11, synthetic: int = 20_000) -> None:
        self.random = random.Random(seed)
        made = {
            "".join(self.random.choice(LETTERS) for _ in range(self.random.randint(4, 10)))
            for _ in range(synthetic)
        }
        self.vocabulary = REAL_WORDS + sorted(made)
        self.random.shuffle(self.vocabulary)
        # Cumulative once: `choices(…, weights)` would re-add 20,000 weights for every
        # title (a minute for 100,000 titles); with `cum_weights` the draws are the same.
        self.cum_weights = list(accumulate(1 / (rank + 1) for rank in range(len(self.vocabulary))))

    def title(self) -> str:
        rnd = self.random
        words = rnd.choices(self.vocabulary, cum_weights=self.cum_weights, k=rnd.randint(2, 5))
        filler = rnd.sample(FUNCTION_WORDS, rnd.randint(1, 3))
        mixed = words + filler
        rnd.shuffle(mixed)
        return " ".join(mixed).capitalize() + "?"

    def inflect(self, title: str) -> str:
        """The same question typed differently: other endings, one word dropped."""
        words = title.rstrip("?").split()
        if len(words) > 2:
            words.pop(self.random.randrange(len(words)))
        return " ".join(w + self.random.choice(SUFFIXES) for w in words) + "?"


async def load_solved(bench: BenchApp, titles: list[str], backend: str) -> float:
    """Bulk-insert solved questions and their index entries; seconds taken."""
    from bot.features.questions.search import index_terms
    from storage.tables.questions import FTS_TABLE, questions

    now = datetime.now(UTC)
    channel = str(bench.channels[0].ref)
    started = time.perf_counter()
    for start in range(0, len(titles), BATCH):
        chunk = titles[start : start + BATCH]
        rows = [
            {
                "id": start + i + 1,
                "platform": bench.community.platform,
                "channel_ref": channel,
                "message_ref": str(bench.community.ref(f"faq-m{start + i + 1}")),
                "title": title,
                "source": "command",
                "state": "solved",
                "created_at": now,
                "last_activity_at": now,
                "solved_at": now,
                "terms": " ".join(index_terms(title)),
            }
            for i, title in enumerate(chunk)
        ]
        async with bench.engine.begin() as conn:
            if backend == POSTGRESQL:
                vector = func.array_to_tsvector(
                    func.string_to_array(bindparam("terms", type_=Text), " ")
                )
                await conn.execute(insert(questions).values(search_vector=vector), rows)
            else:
                plain = [{k: v for k, v in r.items() if k != "terms"} for r in rows]
                await conn.execute(insert(questions), plain)
                await conn.execute(
                    text(f"INSERT INTO {FTS_TABLE} (rowid, terms) VALUES (:id, :terms)"),
                    [{"id": r["id"], "terms": r["terms"]} for r in rows],
                )
    return time.perf_counter() - started


@benchmark("questions_faq", title="FAQ search, 100,000 solved", variants=STORAGE_VARIANTS)
async def questions_faq(case: Case) -> list[Row]:
    from bot.context import Context, Work
    from bot.features.questions import service
    from bot.features.questions.handlers import feature

    label = case.variant
    url = await database_url(case)
    bench = await open_app(url, members=10, channels=2)
    generator = Titles()
    stored = [generator.title() for _ in range(SOLVED)]
    queries = int(case.pick(200, 1_000))
    asked = [
        generator.inflect(generator.random.choice(stored)) if i % 2 else generator.title()
        for i in range(queries)
    ]
    try:
        load_seconds = await load_solved(bench, stored, label)
        runtime = bench.app.runtime
        latencies: list[float] = []
        cpu: list[float] = []
        found = 0
        inflected_found = 0
        async with LoopProbe() as probe:
            for i, question in enumerate(asked):
                started, cpu_started = time.perf_counter(), time.process_time()
                async with runtime.storage.unit_of_work() as uow:
                    ctx = Context(Work(runtime, uow), feature, None)
                    hits = await service.suggestions(ctx, question, 3)
                latencies.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
                found += bool(hits)
                inflected_found += bool(hits) and i % 2 == 1
    finally:
        await bench.close()
    p95 = percentile(latencies, 95)
    bound = TARGET_P95_MS if label == SQLITE else None
    return [
        measured_row(
            f"FAQ search p95, {SOLVED:,} solved ({label})",
            p95,
            "ms",
            at_most=bound,
            digits=1,
            stall_ms=probe.max_ms,
            note=(
                f"FAQ search ({label}): {queries:,} queries through service.suggestions, "
                f"p50 {percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} "
                f"ms, max {max(latencies):.1f} ms; CPU time (all threads) p95 "
                f"{percentile(cpu, 95):.1f} ms, which a loaded machine does not inflate; "
                f"{found:,} with suggestions; index loaded in {load_seconds:.1f} s"
                + ("" if bound else "; the 50 ms target is for SQLite, shown for comparison")
            ),
        ),
        Row(
            figure=f"FAQ finds inflected re-asks ({label})",
            target=f"≥ 90 % of {queries // 2:,}",
            measured=f"{inflected_found / max(1, queries // 2):.0%}",
            status=PASS if inflected_found >= 0.9 * (queries // 2) else FAIL,
        ),
    ]


async def load_open(bench: BenchApp, count: int, due: datetime, due_now: int) -> None:
    """`count` open questions from the bench's members; the first `due_now` fall due at `due`."""
    from storage.schema import scheduled_jobs
    from storage.tables.questions import questions

    directory_rows = await _people(bench)
    now = datetime.now(UTC)
    channel = bench.channels[0].ref
    for start in range(0, count, BATCH):
        numbers = range(start + 1, min(count, start + BATCH) + 1)
        rows = []
        jobs = []
        for n in numbers:
            person_id, account = directory_rows[n % len(directory_rows)]
            rows.append(
                {
                    "id": n,
                    "platform": channel.platform,
                    "channel_ref": str(channel),
                    "message_ref": str(bench.community.ref(f"q-m{n}")),
                    "asker_person_id": person_id,
                    "asker_ref": account,
                    "title": f"Open question number {n}",
                    "source": "command",
                    "state": "open",
                    "created_at": now,
                    "last_activity_at": now,
                }
            )
            jobs.append(
                {
                    "key": f"questions:{n}:sla",
                    "feature": "questions",
                    "name": "first_response",
                    "due_at": due if n <= due_now else due + timedelta(hours=1),
                    "payload": f'{{"question_id": {n}}}',
                    "created_at": now,
                }
            )
        async with bench.engine.begin() as conn:
            await conn.execute(insert(questions), rows)
            await conn.execute(insert(scheduled_jobs), jobs)


async def _people(bench: BenchApp) -> list[tuple[int, str]]:
    from sqlalchemy import select

    from storage.schema import members

    async with bench.engine.connect() as conn:
        rows = await conn.execute(
            select(
                members.c.person_id, members.c.platform, members.c.workspace, members.c.external_id
            )
        )
        return [(r.person_id, f"{r.platform}:{r.workspace}:{r.external_id}") for r in rows]


async def _until(condition: Any, limit: float) -> bool:
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        if await condition():
            return True
        await asyncio.sleep(0.25)
    return bool(await condition())


@benchmark("questions_sla", title="SLA checks, 10,000 open questions", variants=STORAGE_VARIANTS)
async def questions_sla(case: Case) -> list[Row]:
    from adapters.memory.seeding import register_directory
    from storage.schema import scheduled_jobs
    from storage.tables.questions import questions

    label = case.variant
    due_now = int(case.pick(500, OPEN))
    url = await database_url(case)
    bench = await open_app(url, members=200, channels=2, start_scheduler=False)
    for i in range(5):
        bench.community.add_member(f"helper{i}", ("helper",))
    await register_directory(bench.app.runtime.storage, bench.community, datetime.now(UTC))
    try:
        await load_open(bench, OPEN, PARKED, due_now)
        async with bench.engine.begin() as conn:  # the burst is due LEAD after loading
            await conn.execute(
                update(scheduled_jobs)
                .where(scheduled_jobs.c.due_at == PARKED)
                .values(due_at=datetime.now(UTC) + (QUICK_LEAD if case.quick else LEAD))
            )
        armed_started = time.perf_counter()
        async with LoopProbe() as arming:
            await bench.app.start()  # as in production: arm, then freeze what start-up made
        arm_ms = (time.perf_counter() - armed_started) * 1000

        async def escalated() -> bool:
            return await bench.count(questions, questions.c.escalation >= 1) >= due_now

        started = time.perf_counter()
        async with LoopProbe() as firing:
            finished = await _until(escalated, case.pick(240.0, 1_100.0))
            await asyncio.sleep(0.5)
        took = time.perf_counter() - started
        escalations = await bench.count(questions, questions.c.escalation >= 1)
        done = await bench.count(
            scheduled_jobs,
            scheduled_jobs.c.name == "first_response",
            scheduled_jobs.c.done_at.is_not(None),
        )
        pings = sum("so I've asked the helpers" in p.text for p in bench.community.posts)
    finally:
        await bench.close()
    once = finished and escalations == due_now and done == due_now and pings == due_now
    return [
        measured_row(
            f"loop stall, {due_now:,} SLA checks due at once ({label})",
            firing.max_ms,
            "ms",
            at_most=TARGET_STALL_MS,
            digits=1,
            stall_ms=firing.max_ms,
            note=(
                f"SLA ({label}): {OPEN:,} open questions with persisted SLA jobs, {due_now:,} "
                f"due at one instant, each running the real escalation; all done in "
                f"{took:.1f} s ({due_now / took:,.0f}/s); p99 loop lag {firing.pct_ms(99):.1f} ms"
            ),
        ),
        measured_row(
            f"loop stall, re-arming {OPEN:,} SLA jobs at start ({label})",
            arming.max_ms,
            "ms",
            at_most=TARGET_STALL_MS,
            digits=1,
            stall_ms=arming.max_ms,
            note=f"SLA ({label}): Scheduler.start() re-armed {OPEN:,} jobs in {arm_ms:.0f} ms",
        ),
        Row(
            figure=f"each due question escalated once ({label})",
            target=number(due_now),
            measured=f"{escalations:,} escalated, {done:,} jobs done, {pings:,} pings",
            status=PASS if once else FAIL,
        ),
    ]
