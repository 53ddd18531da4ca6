"""What staff and raisers do to a need: one table for the page's buttons and the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from wulian.core.actions import Action, ActionTable
from wulian.lists import forms, services
from wulian.lists.models import Need, Project
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


# ------------------------------------------------------------------ projects
# The page checks what it reads with its forms (and shows them again with their errors); the
# API with its schemas; both hand the checked values here, under these names.


def _sign(actor: Any, project: Project, data: Mapping[str, Any]) -> Any:
    return services.sign_agreement(
        actor,
        project.agreement,
        side=data["side"],
        typed_name=data["typed_name"],
        drawn_png=data.get("drawing"),
        code=data.get("code") or "",
        ip_address=data.get("ip_address"),
    )


def _send_code(actor: Any, project: Project, data: Mapping[str, Any]) -> Any:
    return services.send_signing_code(
        actor, project.agreement, data["side"], ip_address=data.get("ip_address")
    )


def _agreement(actor: Any, project: Project, data: Mapping[str, Any]) -> Any:
    fields = {name: data[name] for name in services.AGREEMENT_FIELDS if name in data}
    return services.update_agreement(actor, project.agreement, **fields)


def _progress(actor: Any, project: Project, data: Mapping[str, Any]) -> Any:
    return services.post_progress(
        actor,
        project,
        data["text"],
        photos=data.get("photos") or [],
        milestone=data.get("milestone"),
    )


PROJECT_ACTIONS: ActionTable[Project] = ActionTable(
    Action("sign", _sign, _("Signed. Thank you.")),
    Action(
        "sign-code",
        _send_code,
        _("We texted a code to %(mobile)s. Type it below with your name to sign."),
    ),
    Action("agreement", _agreement, _("The agreement has been saved.")),
    Action("progress", _progress, _("Progress posted.")),
    Action(
        "milestone",
        lambda actor, project, data: services.add_milestone(
            actor, project, data["title"], data.get("due_on")
        ),
        _("Milestone added."),
    ),
    Action(
        "complete",
        lambda actor, project, data: services.complete_project(actor, project, data["outcomes"]),
        _("The project is complete. Thank you for building it."),
    ),
    Action(
        "rate",
        lambda actor, project, data: services.rate_project(
            actor, project, data["score"], data.get("comment", "")
        ),
        _("Thank you for your rating."),
    ),
)
