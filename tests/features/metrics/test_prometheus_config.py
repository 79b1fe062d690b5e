"""The Prometheus endpoint and the checks `agora check` runs on `[features.metrics]`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.app import App, build_app, open_storage, validate_config
from bot.clock import FakeClock
from bot.config import ConfigError
from bot.features import feature_models
from bot.health import serve_health
from bot.testing import load_config_dict


def config(**metrics: Any) -> Any:
    data: dict[str, Any] = {
        "storage": {"url": "sqlite+aiosqlite:///:memory:"},
        "bot": {"health_port": 8080},
        "features": {"metrics": metrics},
    }
    return load_config_dict(data, feature_models())


async def started(**metrics: Any) -> App:
    cfg = config(**metrics)
    storage = await open_storage(cfg, create_schema=True)
    app = await build_app(cfg, clock=FakeClock(), storage=storage)
    await app.start()
    return app


@pytest.fixture
async def exposed() -> AsyncIterator[App]:
    app = await started(prometheus=True)
    yield app
    await app.stop()


async def get(app: App, path: str) -> tuple[int, str]:
    runner = await serve_health(app, "127.0.0.1", 0)
    try:
        port = runner.addresses[0][1]
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}{path}") as response,
        ):
            return response.status, await response.text()
    finally:
        await runner.cleanup()


async def test_metrics_endpoint_speaks_the_prometheus_text_format(exposed: App) -> None:
    status, body = await get(exposed, "/metrics")
    assert status == 200
    assert "# TYPE agora_events_handled_total counter" in body
    assert 'agora_members{platform="all"} 0.0' in body
    assert 'agora_active_members{window="30d"} 0.0' in body


async def test_no_endpoint_unless_configured() -> None:
    app = await started()
    try:
        status, _body = await get(app, "/metrics")
    finally:
        await app.stop()
    assert status == 404


def test_prometheus_needs_the_health_server() -> None:
    data = {"features": {"metrics": {"prometheus": True}}}
    problems = validate_config(load_config_dict(data, feature_models()))
    assert [p.path for p in problems] == ["features.metrics.prometheus"]
    assert validate_config(config(prometheus=True)) == []


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"slipping_active_weeks": 5}, "cannot exceed"),
        ({"nudge_text": "Hi {nick}"}, "{nick}"),
        ({"nudge_text": "Hi {name"}, "unmatched"),
        ({"sentiment_languages": ["de"]}, "unknown language"),
        ({"default_period": "fortnight"}, "fortnight"),
        ({"top_channels": 99}, "20"),
    ],
)
def test_bad_settings_are_explained(section: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config_dict({"features": {"metrics": section}}, feature_models())
    assert message in str([str(p) for p in error.value.problems])
