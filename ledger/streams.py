"""Stream names: ``<prefix><id>`` (``member:M-0042``).

Each aggregate module owns its prefix (issue 14: ``ledger.member.PREFIX``,
``ledger.property.PREFIX``, …) and names its streams through one ``StreamKind``,
so naming, recognising and reading the id of a stream are written once.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StreamKind:
    prefix: str

    def of(self, ident: str) -> str:
        """The stream of this id: ``member:`` + ``M-0042``."""
        return self.prefix + ident

    def holds(self, name: str) -> bool:
        """Whether ``name`` is a stream of this kind."""
        return name.startswith(self.prefix)

    def ident(self, name: str) -> str:
        """The id a stream of this kind carries: ``member:M-0042`` -> ``M-0042``."""
        return name[len(self.prefix):]
