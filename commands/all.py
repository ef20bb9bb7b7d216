"""Every handler module, imported once: the one place the command set is composed.

``commands.handlers`` imports this module, so ``parse`` and ``execute`` see every
command. A new handler module is added here (and nowhere else).
"""
from __future__ import annotations

from commands import membership, presence, privacy, retraction, services  # noqa: F401  (they fill REGISTRY)
from commands.registry import REGISTRY

__all__ = ["REGISTRY"]
