"""The running bot's shared state, handed to every context.

Kept apart from `app.py` (which builds it) so that features and tests can depend on
the runtime without pulling in storage or platform code.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.config import AgoraConfig, FeatureConfig
from bot.permissions import Permissions
from bot.ports import ChatPort, Clock, Storage
from bot.registry import Registry

if TYPE_CHECKING:
    from bot.dispatch import Dispatcher
    from bot.outbox import Outbox
    from bot.scheduler import Scheduler


def default_instance_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass
class Runtime:
    config: AgoraConfig
    registry: Registry
    storage: Storage
    clock: Clock
    ports: dict[str, ChatPort] = field(default_factory=dict)
    instance_id: str = field(default_factory=default_instance_id)
    _dispatcher: Dispatcher | None = None
    _scheduler: Scheduler | None = None
    _outbox: Outbox | None = None
    _feature_configs: dict[str, FeatureConfig] = field(default_factory=dict)
    # Configs of features a reload turned off, for handlers still running.
    _retired: dict[str, FeatureConfig] = field(default_factory=dict)
    # Per feature, process-local shortcuts (see `Context.memo`).
    memos: dict[str, dict[Any, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        perms = self.config.permissions
        self.permissions = Permissions(perms.admin, perms.moderator, perms.helper)
        self._feature_configs = {
            name: self.config.feature(name, feature.config)
            for name, feature in self.registry.features.items()
        }

    def feature_config(self, name: str) -> Any:
        found = self._feature_configs.get(name)
        if found is None:
            # A handler still finishing after a reload turned its feature off.
            return self._retired[name]
        return found

    def replace_config(self, config: AgoraConfig, registry: Registry | None = None) -> None:
        """Hot reload: swap in a new, already validated config (and the registry of the
        features it enables, when that changed)."""
        before = self._feature_configs
        self.config = config
        if registry is not None:
            self.registry = registry
        self.__post_init__()
        self._retired = {n: c for n, c in before.items() if n not in self._feature_configs}

    def port(self, platform: str) -> ChatPort:
        try:
            return self.ports[platform]
        except KeyError:
            raise LookupError(f"no adapter is running for platform {platform!r}") from None

    @property
    def dispatcher(self) -> Dispatcher:
        assert self._dispatcher is not None, "runtime used before the dispatcher was attached"
        return self._dispatcher

    @property
    def outbox(self) -> Outbox:
        assert self._outbox is not None, "runtime used before the outbox was attached"
        return self._outbox

    @property
    def scheduler(self) -> Scheduler:
        assert self._scheduler is not None, "runtime used before the scheduler was attached"
        return self._scheduler

    def enabled_features(self) -> Mapping[str, FeatureConfig]:
        return self._feature_configs
