"""Plain records the engine reads and the results it returns.

The engine knows nothing of the database: an adapter in the lists app turns model rows into
these frozen dataclasses, and the command line builds them from list files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

#: Weekdays are numbered as :meth:`datetime.date.weekday` does: Monday 0 … Sunday 6.
Weekday = int


@dataclass(frozen=True, slots=True)
class Availability:
    """When a resource can serve: weekdays and an hour range (24 h clock, end exclusive).

    An empty ``weekdays`` means "not stated" (free text only), not "never".
    """

    weekdays: frozenset[Weekday] = frozenset()
    start_hour: int | None = None
    end_hour: int | None = None

    @property
    def known(self) -> bool:
        return bool(self.weekdays)


@dataclass(frozen=True, slots=True)
class NeedRecord:
    """One item of the 社区需求清单.

    ``category`` is a taxonomy path such as ``("便民服务", "理发")``; it may be empty (many
    needs are raised without one). Place ids are plain strings chosen by the adapter (region
    primary keys or codes); ``region_path`` optionally lists the need's enclosing regions above
    the subdistrict (city, district), outermost first, so that district-wide service areas match.
    ``urgency`` is 0 (一般), 1 (较急) or 2 (紧急); ``slots`` is how many co-claimers it accepts.
    """

    id: str
    title: str
    description: str = ""
    category: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    compound_id: str | None = None
    community_id: str | None = None
    subdistrict_id: str | None = None
    region_path: tuple[str, ...] = ()
    deadline: date | None = None
    urgency: int = 0
    slots: int = 1

    def place_ids(self) -> frozenset[str]:
        """Every region id the need lies in (compound, community, subdistrict and above)."""
        ids = {i for i in (self.compound_id, self.community_id, self.subdistrict_id) if i}
        ids.update(self.region_path)
        return frozenset(ids)


@dataclass(frozen=True, slots=True)
class ProviderRecord:
    """A unit, volunteer team or person that offers resources, with its track record.

    ``completion_rate`` is finished projects over claimed projects, in [0, 1];
    ``mean_rating`` is the residents' mean rating on the 1–5 scale. Both are ``None`` when
    the provider has no history yet (the engine then treats the record as neutral).
    """

    id: str
    name: str = ""
    kind: str = ""
    completion_rate: float | None = None
    mean_rating: float | None = None


@dataclass(frozen=True, slots=True)
class ResourceRecord:
    """One item of the 单位资源清单.

    ``service_area`` is the region path of the area served, outermost first (for example
    ``("武汉市", "江岸区", "西马街道")``); its last element is the region whose inside is served
    and must use the same ids as the needs' place ids. An empty path means "anywhere".
    ``compound_id`` / ``community_id`` / ``subdistrict_id`` say where the provider is based
    (used for the "same compound" signal). ``capacity_remaining`` is what is left of the
    capacity in the current period (``None`` when unknown or unlimited); ``0`` excludes it.
    """

    id: str
    title: str
    description: str = ""
    category: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    provider_id: str = ""
    provider_kind: str = ""
    service_area: tuple[str, ...] = ()
    compound_id: str | None = None
    community_id: str | None = None
    subdistrict_id: str | None = None
    capacity_remaining: int | None = None
    capacity_unit: str = "人次"
    availability: Availability = field(default_factory=Availability)
    provider_completion_rate: float | None = None
    provider_mean_rating: float | None = None
