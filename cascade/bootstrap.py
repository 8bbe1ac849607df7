"""The one place that wires real dependencies: settings, engine, registry, calendar, clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from config.settings import Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from models.calendar import WorkingCalendar
    from models.registry import Registry
    from notifications.contacts import Contacts


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class App:
    settings: Settings
    clock: Callable[[], dt.datetime] = field(default=utc_now)

    @cached_property
    def engine(self) -> Engine:
        from models.db import make_engine

        return make_engine(self.settings.database_url)

    @cached_property
    def registry(self) -> Registry:
        from models.registry import load_registry

        return load_registry(self.settings.registry_path)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        from models.calendar import load_calendar

        return load_calendar(self.settings.calendar_path)

    @cached_property
    def contacts(self) -> Contacts:
        from notifications.contacts import load_contacts

        return load_contacts(self.settings.contacts_path, self.settings.example_contacts_path,
                             self.registry)

    def ready_engine(self) -> Engine:
        """The engine, after checking that `cascade init` has brought the schema up to date."""
        from models.db import require_current_schema

        require_current_schema(self.engine)
        return self.engine


def build_app(environ: Mapping[str, str] | None = None, *, cwd: Path | None = None,
              clock: Callable[[], dt.datetime] = utc_now) -> App:
    return App(settings=load_settings(environ, cwd=cwd), clock=clock)
