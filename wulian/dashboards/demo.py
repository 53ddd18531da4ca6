"""The demo world's rollups: computed last, after every other app has built its part."""

from __future__ import annotations

from typing import Any

from wulian.dashboards import services
from wulian.places.models import Region


def build_dashboards(community: Region, actor: Any) -> int:
    return services.recompute([community]).facts
