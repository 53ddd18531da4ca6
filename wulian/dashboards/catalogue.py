"""Every installed app's indicators, gathered from the registry: the dashboards list no apps."""

from __future__ import annotations

from functools import cache

from wulian.core.indicators import LINKS, Indicator
from wulian.core.registry import indicator_lists


@cache
def indicators() -> dict[str, Indicator]:
    found: dict[str, Indicator] = {}
    for _label, declared in indicator_lists():
        for indicator in declared:
            if indicator.key in found:
                raise ValueError(f"indicator {indicator.key} is defined twice")
            if indicator.link not in LINKS:
                raise ValueError(f"indicator {indicator.key}: unknown link {indicator.link}")
            found[indicator.key] = indicator
    return found


def by_link() -> dict[str, list[Indicator]]:
    sections: dict[str, list[Indicator]] = {link: [] for link in LINKS}
    for indicator in indicators().values():
        sections[indicator.link].append(indicator)
    for items in sections.values():
        items.sort(key=lambda i: (i.order, i.key))
    return sections


def computed() -> list[Indicator]:
    """The indicators with a formula, whose facts the rollups hold."""
    return [i for i in indicators().values() if i.formula is not None]
