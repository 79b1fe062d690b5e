"""Talking about a question on whatever platform it lives on, without ever failing the rules.

A question's state change must stand even when its message cannot be delivered (the
thread was deleted, the platform is not running in this process, the bot lost a
permission), so every send here logs and carries on instead of raising.
"""

from __future__ import annotations

import logging

from bot.context import Context
from bot.features.questions.store import Question
from bot.model import Block, Capability, MemberRecord, Outgoing, Ref
from bot.ports import CapabilityMissing, PlatformRefused

log = logging.getLogger(__name__)

PLATFORM_NAMES = {"discord": "Discord", "slack": "Slack", "console": "console"}


def running(ctx: Context, platform: str) -> bool:
    return platform in ctx.runtime.ports


async def send(ctx: Context, out: Outgoing) -> Ref | None:
    target = out.dm or out.channel or out.ephemeral_to
    if target is None or not running(ctx, target.platform):
        return None
    try:
        return await ctx.send(out)
    except PlatformRefused as refused:
        log.warning("questions: could not deliver to %s: %s", target, refused)
        return None


async def send_bridged(ctx: Context, out: Outgoing) -> None:
    """To a channel and the channels bridged with it on the other platforms (`[[bridges]]`)."""
    if out.channel is None or not running(ctx, out.channel.platform):
        return
    try:
        await ctx.send_bridged(out)
    except PlatformRefused as refused:
        log.warning("questions: could not deliver to %s: %s", out.channel, refused)


def in_thread(question: Question, text: str, blocks: tuple[Block, ...] = ()) -> Outgoing:
    """A message in the question's thread (a thread channel, or replies to its root)."""
    if question.thread is not None:
        return Outgoing(text, blocks, channel=question.thread)
    return Outgoing(text, blocks, channel=question.channel, thread_of=question.message)


async def to_thread(
    ctx: Context, question: Question, text: str, blocks: tuple[Block, ...] = ()
) -> Ref | None:
    return await send(ctx, in_thread(question, text, blocks))


async def edit(ctx: Context, message: Ref, text: str, blocks: tuple[Block, ...]) -> None:
    if not running(ctx, message.platform):
        return
    try:
        await ctx.port(message.platform).edit(message, Outgoing(text, blocks))
    except (PlatformRefused, CapabilityMissing) as failed:
        log.info("questions: could not edit %s: %s", message, failed)


async def open_thread(ctx: Context, root: Ref, name: str) -> Ref | None:
    """A thread on `root` where the platform has threads; None means "reply to root"."""
    platform = root.platform
    if not running(ctx, platform) or not ctx.can(platform, Capability.THREADS):
        return None
    try:
        return await ctx.port(platform).create_thread(root, name)
    except (PlatformRefused, CapabilityMissing) as failed:
        log.info("questions: no thread on %s: %s", root, failed)
        return None


def mention(ctx: Context, member: MemberRecord | Ref, fallback: str = "") -> str:
    """A mention that pings on the member's platform, or their name where it cannot."""
    ref = member.ref if isinstance(member, MemberRecord) else member
    if running(ctx, ref.platform):
        return ctx.mention(ref)
    if isinstance(member, MemberRecord):
        return member.label
    return fallback or ref.id


def link(ctx: Context, question: Question) -> str:
    place = question.message or question.thread
    if place is None or not running(ctx, place.platform):
        return f"#{question.id}"
    return ctx.link(place)


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform)
