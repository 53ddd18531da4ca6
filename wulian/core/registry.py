"""What each app contributes to the site, declared on its `AppConfig`.

Nothing central lists the apps: the API, the navigation, the demo world and the worker's
periodic jobs gather what every installed `WulianApp` declares, in `INSTALLED_APPS` order.
Contributions are dotted paths, resolved when first used, so declaring them imports nothing::

    class ListsConfig(WulianApp):
        name = "wulian.lists"
        api_router = "wulian.lists.api.router"
        navigation = "wulian.lists.navigation.items"
        demo = ("wulian.lists.demo.build_lists", "list items")
        periodic_tasks = ("wulian.lists.tasks.sweep_lists_task",)
        indicators = "wulian.lists.indicators.INDICATORS"
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.apps import AppConfig, apps
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class NavItem:
    """One link of the navigation; `group` is one of `NAV_GROUPS`' keys."""

    label: str
    url: str
    key: str
    group: str = "lists"
    order: int = 50


@dataclass(frozen=True)
class Watch:
    """Saving or deleting a `model` ("app.Model") row moves `scope`'s versions of the items
    `items(row)` names (see `core.versions`), and the scope's version of everything unless
    `everywhere` is False. With `m2m`, adding to or removing from that many-to-many field of
    the model does too (`items` then gets whichever side was changed)."""

    model: str
    scope: str
    items: Callable[[Any], Iterable[int | None]]
    m2m: str = ""
    everywhere: bool = True


class WulianApp(AppConfig):
    """An app of Wulian: a Django app that may declare its contributions."""

    default = False  # not itself an app; each subclass is its app's default config

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.default = True

    #: `(prefix, urlconf)`: the app's pages, mounted at the prefix
    urls: ClassVar[tuple[str, str] | None] = None
    #: the app's ninja `Router`, mounted at /api/
    api_router: ClassVar[str | None] = None
    #: `items(request) -> Iterable[NavItem]`: the links this person may follow
    navigation: ClassVar[str | None] = None
    #: `(build(community, actor) -> int, label)`: adds the app's part to the demo world (the
    #: label names what it made in the console summary, in English)
    demo: ClassVar[tuple[str, str | Promise] | None] = None
    #: tasks the worker enqueues every round (each must be idempotent)
    periodic_tasks: ClassVar[tuple[str, ...]] = ()
    #: a sequence of `core.indicators.Indicator`: the app's figures for the dashboards
    indicators: ClassVar[str | None] = None
    #: a sequence of `core.versions.Watch`: the models whose changes move a kept page's version
    watches: ClassVar[str | None] = None


def wulian_apps() -> Iterator[WulianApp]:
    for config in apps.get_app_configs():
        if isinstance(config, WulianApp):
            yield config


def url_includes() -> list[tuple[str, str]]:
    return [config.urls for config in wulian_apps() if config.urls]


def api_routers() -> list[Any]:
    return [import_string(config.api_router) for config in wulian_apps() if config.api_router]


def navigation_sources() -> list[Callable[[HttpRequest], Any]]:
    return [import_string(config.navigation) for config in wulian_apps() if config.navigation]


def demo_builders() -> list[tuple[Callable[..., int], str | Promise]]:
    return [
        (import_string(config.demo[0]), config.demo[1]) for config in wulian_apps() if config.demo
    ]


def periodic_task_paths() -> list[str]:
    return [path for config in wulian_apps() for path in config.periodic_tasks]


def indicator_lists() -> list[tuple[str, Any]]:
    """`(app label, its indicators)` for every app that declares some."""
    return [
        (config.label, import_string(config.indicators))
        for config in wulian_apps()
        if config.indicators
    ]


def watch_lists() -> list[Any]:
    return [import_string(config.watches) for config in wulian_apps() if config.watches]
