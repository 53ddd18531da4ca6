"""Co-built projects: milestones, progress with photos, completion with outcomes, stalling,
ratings."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.accounts.models import User
from wulian.audit import services as audit
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.core.workflow import transition
from wulian.lists.models import (
    Milestone,
    Need,
    ProgressUpdate,
    Project,
    Rating,
)
from wulian.lists.services.attachments import attach
from wulian.lists.services.claims import cancel_claim
from wulian.lists.services.common import (
    LIVE_PROJECT_STATES,
    NEED_FLOW,
    PROJECT_FLOW,
    _project_url,
    _raiser_recipients,
)
from wulian.notifications.services import tell


def _live_project(project_id: int) -> Project:
    project = Project.objects.select_for_update().get(pk=project_id)
    if project.state not in {Project.State.ACTIVE, Project.State.STALLED}:
        raise Conflict(
            "project.not_active",
            _("The project is %(state)s; this is only possible while it is under way.")
            % {"state": project.get_state_display()},
        )
    return project


def add_milestone(
    actor: User, project: Project, title: str, due_on: datetime.date | None = None
) -> Milestone:
    if not actor.has_perm("lists.report_progress", project):
        raise NotAllowed("project.not_party", _("Only the claiming side can plan milestones."))
    if not title.strip():
        raise DomainError("milestone.no_title", _("Give the milestone a title."))
    with transaction.atomic():
        if project.state not in LIVE_PROJECT_STATES:
            raise Conflict("project.closed", _("The project is closed."))
        milestone = Milestone.objects.create(
            project=project,
            title=title.strip(),
            due_on=due_on,
            position=project.milestones.count(),
        )
        audit.record(
            actor,
            "lists.milestone_added",
            project,
            after={"title": milestone.title},
            community=project.community,
        )
    return milestone


def post_progress(
    actor: User,
    project: Project,
    text: str,
    *,
    photos: Sequence[Any] = (),
    milestone: Milestone | None = None,
) -> ProgressUpdate:
    if not actor.has_perm("lists.report_progress", project):
        raise NotAllowed(
            "project.not_party", _("Only the claiming side and staff can post progress.")
        )
    if not text.strip():
        raise DomainError("progress.empty", _("Write what has been done."))
    if milestone is not None and milestone.project_id != project.pk:
        raise DomainError("progress.bad_milestone", _("That milestone belongs to another project."))
    with transaction.atomic():
        locked = _live_project(project.pk)
        update = ProgressUpdate.objects.create(
            project=locked, author=actor, text=text.strip(), milestone=milestone
        )
        for photo in photos:
            attach(actor, photo, update=update)
        if milestone is not None and milestone.done_at is None:
            Milestone.objects.filter(pk=milestone.pk).update(done_at=timezone.now())
        if locked.state == Project.State.STALLED:
            PROJECT_FLOW.apply(
                locked,
                Project.State.ACTIVE,
                actor,
                action="lists.progress_posted",
                after={"update": update.pk},
                last_activity_at=timezone.now(),
            )
        else:
            locked.last_activity_at = timezone.now()
            locked.save(update_fields=["last_activity_at"])
            state = {"state": locked.state}
            audit.record(
                actor,
                "lists.progress_posted",
                locked,
                before=state,
                after={**state, "update": update.pk},
                community=locked.community,
            )
    return update


@dataclass(frozen=True)
class Outcomes:
    summary: str
    people_served: int | None = None
    volunteer_hours: Decimal | None = None
    money: Decimal | None = None
    materials: str = ""


def complete_project(actor: User, project: Project, outcomes: Outcomes) -> Project:
    if not actor.has_perm("lists.report_progress", project):
        raise NotAllowed(
            "project.not_party", _("Only the claiming side and staff can complete the project.")
        )
    if not outcomes.summary.strip():
        raise DomainError("project.no_summary", _("Describe what the project achieved."))
    for value in (outcomes.people_served, outcomes.volunteer_hours, outcomes.money):
        if value is not None and value < 0:
            raise DomainError("project.negative", _("Outcomes cannot be negative."))
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=project.need_id)
        locked = _live_project(project.pk)
        now = timezone.now()
        PROJECT_FLOW.apply(
            locked,
            Project.State.COMPLETED,
            actor,
            action="lists.project_completed",
            after={
                "people_served": outcomes.people_served,
                "volunteer_hours": str(outcomes.volunteer_hours or ""),
            },
            completed_at=now,
            last_activity_at=now,
            summary=outcomes.summary.strip(),
            people_served=outcomes.people_served,
            volunteer_hours=outcomes.volunteer_hours,
            money=outcomes.money,
            materials=outcomes.materials.strip(),
        )
        live = need.projects.exclude(state=Project.State.CANCELLED)
        if (
            need.state == Need.State.CLAIMED
            and not live.exclude(state=Project.State.COMPLETED).exists()
        ):
            NEED_FLOW.apply(need, Need.State.DONE, actor, action="lists.need_done", closed_at=now)
        tell(
            _raiser_recipients(need),
            "project.completed",
            gettext_lazy("“%(title)s” is complete."),
            gettext_lazy("Please rate how it went."),
            url=_project_url(locked),
            obj=locked,
            title=locked.title,
        )
    return locked


def cancel_project(actor: User, project: Project, reason: str) -> Project:
    cancel_claim(actor, project.claim, reason)
    project.refresh_from_db()
    return project


def mark_stalled_projects(now: datetime.datetime | None = None) -> list[Project]:
    """Projects under way with no activity for PROJECT_STALLED_DAYS are marked stalled."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.PROJECT_STALLED_DAYS)
    stalled = []
    for project in Project.objects.filter(state=Project.State.ACTIVE, last_activity_at__lt=limit):

        def still_idle(locked: Project) -> None:
            if locked.last_activity_at >= limit:
                raise Conflict("project.active", _("The project has moved meanwhile."))

        try:
            stalled.append(
                transition(
                    PROJECT_FLOW,
                    project,
                    Project.State.STALLED,
                    None,
                    action="lists.project_stalled",
                    guard=still_idle,
                )
            )
        except Conflict:
            continue  # progress was posted meanwhile
    return stalled


def rate_project(actor: User, project: Project, score: int, comment: str = "") -> Rating:
    if not actor.has_perm("lists.rate_project", project):
        raise NotAllowed(
            "rating.not_beneficiary",
            _("Only the person who raised the need and residents who benefited can rate it."),
        )
    if score not in range(1, 6):
        raise DomainError("rating.bad_score", _("Give between 1 and 5 stars."))
    try:
        with transaction.atomic():
            current = Project.objects.select_for_update().get(pk=project.pk)
            if current.state != Project.State.COMPLETED:
                raise Conflict("rating.not_completed", _("Only completed projects can be rated."))
            rating = Rating.objects.create(
                project=current, rater=actor, score=score, comment=comment.strip()
            )
            audit.record(
                actor,
                "lists.project_rated",
                current,
                after={"score": score},
                community=current.community,
            )
    except IntegrityError as exc:
        raise Conflict("rating.duplicate", _("You have already rated this project.")) from exc
    return rating
