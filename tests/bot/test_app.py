"""The composition root: what stops Agora from starting says what to do about it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.app import StartupError, build_app, open_storage, run, sqlite_cause
from bot.clock import FakeClock
from bot.config import AgoraConfig
from bot.context import Context
from bot.features import feature_models
from bot.registry import Feature
from bot.testing import load_config_dict


def _config(**sections: object) -> AgoraConfig:
    return load_config_dict(
        {"storage": {"url": "sqlite+aiosqlite:///:memory:"}, **sections}, feature_models()
    )


async def test_a_bad_cron_string_at_start_is_a_startup_error() -> None:
    feature = Feature("nightly")

    @feature.job("sweep", cron="0 25 * * *")
    async def sweep(ctx: Context) -> None:
        raise AssertionError("never armed")

    config = _config()
    storage = await open_storage(config, create_schema=True)
    app = await build_app(config, clock=FakeClock(), storage=storage, features=[feature])
    try:
        with pytest.raises(StartupError) as refused:
            await app.start()
    finally:
        await app.stop()
    message = str(refused.value)
    assert message.startswith("A scheduled job has a bad cron expression: nightly.sweep '0 25")
    assert "`agora check` shows the line" in message


async def test_run_refuses_when_nothing_is_enabled() -> None:
    config = _config(console={"enabled": False})
    with pytest.raises(StartupError, match="nothing would run"):
        await run(config, script="", out=io.StringIO())


def test_sqlite_cause_names_the_missing_directory(tmp_path: Path) -> None:
    cause = sqlite_cause(tmp_path / "gone" / "agora.db")
    assert cause.startswith(f"the directory {tmp_path / 'gone'} does not exist")


def test_sqlite_cause_names_the_user_who_may_not_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As root every access check passes, so the file system's answer is simulated.
    monkeypatch.setattr("bot.app.os.access", lambda path, mode: Path(path) != tmp_path)
    cause = sqlite_cause(tmp_path / "agora.db")
    assert f"may not write in {tmp_path}" in cause
    assert "the data volume must belong to the image's user" in cause
    monkeypatch.setattr("bot.app.os.access", lambda path, mode: Path(path).is_dir())
    (tmp_path / "agora.db").touch()
    assert "may not read and write it" in sqlite_cause(tmp_path / "agora.db")
