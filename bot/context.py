"""The typed CallbackContext every handler and job receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.clock import Clock
from bot.config import Settings
from bot.packer import PackBuilder
from bot.routes import Routes
from bot.scheduling import Schedules
from bot.snapshots import Snapshots
from bot.storage import Storage
from content import Content
from content.strings import Strings


@dataclass
class Services:
    """What the application shares with handlers; the storage opens in post_init."""

    settings: Settings
    content: Content
    clock: Clock
    storage_: Storage | None = field(default=None, repr=False)
    snapshots: Snapshots = field(default_factory=Snapshots, repr=False)
    schedules: Schedules = field(default_factory=Schedules, repr=False)
    routes: Routes = field(default_factory=Routes, repr=False)
    packer: PackBuilder = field(default_factory=PackBuilder, repr=False)

    @property
    def storage(self) -> Storage:
        if self.storage_ is None:
            raise RuntimeError("storage is not open: post_init has not run")
        return self.storage_


SERVICES_KEY = "services"


class BotContext(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with typed access to settings, content, storage and the clock."""

    @property
    def services(self) -> Services:
        services: Services = self.bot_data[SERVICES_KEY]
        return services

    @property
    def storage(self) -> Storage:
        return self.services.storage

    @property
    def content(self) -> Content:
        return self.services.content

    @property
    def strings(self) -> Strings:
        return self.services.content.strings

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def jobs(self) -> JobQueue[BotContext] | None:
        """The job queue, typed for jobs whose callbacks take a BotContext."""
        # CallbackContext leaves the job queue's context type open; ours is always BotContext.
        queue: Any = self.application.job_queue
        return queue  # type: ignore[no-any-return]


BotApplication = Application[
    ExtBot[int], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]


def services_of(application: BotApplication) -> Services:
    services: Services = application.bot_data[SERVICES_KEY]
    return services
