"""Agora's benchmark suite: `python -m bench [--only NAME] [--quick]` (see bench/README.md)."""
