"""Slack reaction names ↔ the Unicode emoji the core and the other platforms use.

Slack reports reactions by short name (`white_check_mark`), Discord and the console by
the character (`✅`). Features compare emoji, so one form must reach the core: the
character when we know it, else `:name:` (custom workspace emoji, rarer symbols).
Skin tones (`+1::skin-tone-3`) count as the base emoji.
"""

from __future__ import annotations

_NAMES: dict[str, str] = {
    "white_check_mark": "✅",
    "heavy_check_mark": "✔️",
    "ballot_box_with_check": "☑️",
    "x": "❌",
    "negative_squared_cross_mark": "❎",
    "triangular_flag_on_post": "🚩",
    "warning": "⚠️",
    "no_entry": "⛔",
    "no_entry_sign": "🚫",
    "+1": "👍",
    "-1": "👎",
    "heart": "❤️",
    "tada": "🎉",
    "eyes": "👀",
    "raised_hands": "🙌",
    "clap": "👏",
    "pray": "🙏",
    "taco": "🌮",
    "fire": "🔥",
    "rocket": "🚀",
    "star": "⭐",
    "star2": "🌟",
    "sparkles": "✨",
    "100": "💯",
    "question": "❓",
    "grey_question": "❔",
    "exclamation": "❗",
    "bulb": "💡",
    "memo": "📝",
    "pushpin": "📌",
    "wave": "👋",
    "smile": "😄",
    "slightly_smiling_face": "🙂",
    "joy": "😂",
    "thinking_face": "🤔",
    "muscle": "💪",
    "ok_hand": "👌",
    "point_up": "☝️",
    "hourglass": "⌛",
    "hourglass_flowing_sand": "⏳",
    "zap": "⚡",
    "trophy": "🏆",
    "medal": "🏅",
    "gift": "🎁",
    "books": "📚",
    "wrench": "🔧",
    "bug": "🐛",
    "lock": "🔒",
    "speech_balloon": "💬",
    "one": "1️⃣",
    "two": "2️⃣",
    "three": "3️⃣",
    "four": "4️⃣",
    "five": "5️⃣",
    "six": "6️⃣",
    "seven": "7️⃣",
    "eight": "8️⃣",
    "nine": "9️⃣",
    "keycap_ten": "🔟",
}
_ALIASES = {"thumbsup": "+1", "thumbsdown": "-1"}
_CHARS: dict[str, str] = {char: name for name, char in _NAMES.items()}
# A character typed with or without the emoji variation selector is the same emoji.
_CHARS.update({char.replace("\ufe0f", ""): name for name, char in _NAMES.items()})


def to_core(name: str) -> str:
    """`white_check_mark` → `✅`; unknown names stay `:name:`."""
    base = name.strip(":").split("::", 1)[0]
    base = _ALIASES.get(base, base)
    return _NAMES.get(base, f":{base}:")


def to_slack(emoji: str) -> str:
    """`✅` → `white_check_mark`, `:party_parrot:` → `party_parrot` (for reactions.*)."""
    text = emoji.strip()
    if text.startswith(":") and text.endswith(":") and len(text) > 2:
        return text[1:-1]
    found = _CHARS.get(text) or _CHARS.get(text.replace("\ufe0f", ""))
    return found if found is not None else text
