"""Release events (机会清单发布会): a published set of open needs, claimed on the spot."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wulian.places.models import InCommunity

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class ReleaseEvent(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        UPCOMING = "upcoming", _("Upcoming")
        LIVE = "live", _("Live")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    communities = models.ManyToManyField(
        "places.Region", verbose_name=_("communities"), related_name="release_events"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    if TYPE_CHECKING:
        event_needs: RelatedManager[EventNeed]

    class Meta:
        verbose_name = _("release event")
        verbose_name_plural = _("release events")
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.state != ReleaseEvent.State.DRAFT


class EventNeed(InCommunity):
    """A need on an event's list, in the order it hangs on the wall."""

    community_parent = "need"

    event = models.ForeignKey(ReleaseEvent, on_delete=models.CASCADE, related_name="event_needs")
    need = models.ForeignKey("lists.Need", on_delete=models.PROTECT, related_name="event_entries")
    position = models.PositiveIntegerField(_("position"), default=0)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("need of an event")
        verbose_name_plural = _("needs of an event")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "need"], name="event_need_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.need}"
