"""What staff and raisers do to a need: one table for the page's buttons and the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from wulian.core.actions import Action, ActionTable
from wulian.lists import forms, services
from wulian.lists.models import Need
from wulian.lists.rules import get_need_for


def _merge(actor: Any, need: Need, data: Mapping[str, Any]) -> Need:
    return services.merge_need(actor, need, get_need_for(actor, data["into"]))


NEED_ACTIONS: ActionTable[Need] = ActionTable(
    Action(
        "publish",
        lambda actor, need, data: services.publish_need(actor, need),
        _("The need is published on the opportunity list."),
    ),
    Action(
        "reject",
        lambda actor, need, data: services.reject_need(actor, need, data.get("reason", "")),
        _("The need was rejected; the raiser sees your reason."),
        level="info",
    ),
    Action(
        "withdraw",
        lambda actor, need, data: services.withdraw_need(actor, need),
        _("The need has been withdrawn."),
        level="info",
    ),
    Action(
        "merge",
        _merge,
        _("Merged. The raiser is told where to follow it."),
        level="info",
        form=forms.MergeForm,
    ),
)
