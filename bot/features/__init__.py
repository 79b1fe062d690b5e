"""Features: one folder each, with `handlers.py` exposing `feature`.

Discovery is by folder so a new feature needs no edit elsewhere.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

from bot.config import FeatureConfig
from bot.registry import Feature


def all_features() -> list[Feature]:
    found: list[Feature] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        name = f"{__name__}.{info.name}.handlers"
        if importlib.util.find_spec(name) is None:
            continue  # a package without handlers declares no feature (yet)
        module = importlib.import_module(name)
        feature = getattr(module, "feature", None)
        if isinstance(feature, Feature):
            found.append(feature)
    return found


def feature_models() -> dict[str, type[FeatureConfig]]:
    return {f.name: f.config for f in all_features()}
