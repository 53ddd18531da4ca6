"""Links between objects of different apps, told by the app above.

A council resolution may become a need and a whistle; the need's page and the whistle's page
then show the resolution they came from, though lists and whistle know nothing of the council.
The app above registers a function that, for an object and the person looking, says which of
its objects are linked to it; a page shows them with `{% load related %}{% related_links obj %}`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Link:
    label: str | Promise  # what the linked object is to this one: "From the council resolution"
    title: str
    url: str


Provider = Callable[[Any, Any], Iterable[Link]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (usually in an AppConfig's `ready`); registering twice adds it once."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def links_of(obj: Any, viewer: Any) -> list[Link]:
    """Every link the registered apps know for `obj`, as `viewer` may see them."""
    return [link for provider in _providers for link in provider(obj, viewer)]
