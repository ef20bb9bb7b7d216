"""The command registry: each command's input model with its handler, and ``handles``, which fills it.

This module imports no handler module. Each handler module (membership, presence,
services, privacy, retraction) imports it and registers its handlers with
``@handles(Model)``; ``commands.all`` imports every handler module once, and
``commands.handlers`` (``parse``, ``execute``) imports ``commands.all``. So the
imports run one way and there is no cycle.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from commands import models as m
from ledger.dates import end_of_day, jst_date
from ledger.events import Event
from ledger.facts import Draft, visible
from ledger.store import LedgerApp


@dataclass
class Unit:
    """The streams one decision read, with their positions at read time."""

    app: LedgerApp
    loaded: dict[str, list[Event]] = field(default_factory=dict)

    def read(self, stream: str) -> list[Event]:
        if stream not in self.loaded:
            self.loaded[stream] = self.app.read(stream)
        return self.loaded[stream]

    def known(self, stream: str, effective_by: datetime) -> list[Event]:
        """The stream as now known, effective up to the end of the command's day."""
        return visible(self.read(stream), as_of=end_of_day(jst_date(effective_by)))


Handler = Callable[[Unit, Any, datetime], list[Draft]]


class Entry(NamedTuple):
    """A command's input model and the handler that decides it."""

    model: type[m.Command]
    handler: Handler


REGISTRY: dict[str, Entry] = {}


def handles(model: type[m.Command]):
    def register(fn: Handler) -> Handler:
        if model.NAME in REGISTRY:
            raise TypeError(f"command {model.NAME} has two handlers")
        REGISTRY[model.NAME] = Entry(model, fn)
        return fn

    return register
