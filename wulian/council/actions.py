"""What people do to topics, meetings, motions and resolutions: one table each, for the page
and the API."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wulian.accounts.models import User
from wulian.core.actions import Action, ActionTable
from wulian.core.errors import DomainError
from wulian.council import forms, services
from wulian.council.models import Comment, Household, Meeting, Motion, Objection, Resolution, Topic


def _household(meeting: Meeting, pk: Any) -> Household:
    found = services.households(meeting.council).filter(pk=pk).first() if pk else None
    if found is None:
        raise DomainError("household.unknown", _("There is no such household in this compound."))
    return found


def _person(pk: Any) -> User:
    found = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    if found is None:
        raise DomainError("person.unknown", _("There is no such person."))
    return found


def _comment(topic: Topic, pk: Any) -> Comment:
    found = Comment.objects.filter(topic=topic, pk=pk).first() if pk else None
    if found is None:
        raise DomainError("comment.unknown", _("There is no such comment."))
    return found


def _objection(resolution: Resolution, pk: Any) -> Objection:
    found = Objection.objects.filter(resolution=resolution, pk=pk).first() if pk else None
    if found is None:
        raise DomainError("objection.unknown", _("There is no such objection."))
    return found


def _agenda(actor: Any, topic: Topic, data: Mapping[str, Any]) -> Any:
    return services.put_on_agenda(actor, topic, data["meeting"], minutes=data["minutes"])


TOPIC_ACTIONS: ActionTable[Topic] = ActionTable(
    Action(
        "second",
        lambda actor, topic, data: services.second_topic(actor, topic),
        _("Seconded. Thank you."),
    ),
    Action(
        "comment",
        lambda actor, topic, data: services.comment_on_topic(actor, topic, data["text"]),
        _("Comment posted."),
        form=forms.CommentForm,
    ),
    Action(
        "hide",
        lambda actor, topic, data: services.hide_comment(
            actor, _comment(topic, data["comment"]), data["reason"]
        ),
        _("The comment is hidden; its author sees why."),
        level="info",
        form=forms.HideForm,
    ),
    Action(
        "agenda",
        _agenda,
        _("The topic is on the agenda."),
        form=forms.AgendaForm,
        form_kwargs=lambda topic: {
            "meetings": Meeting.objects.filter(council=topic.council).exclude(
                state=Meeting.State.CLOSED
            )
        },
    ),
    Action(
        "dismiss",
        lambda actor, topic, data: services.dismiss_topic(actor, topic, data["reason"]),
        _("The topic is dismissed; its author has been told why."),
        level="info",
        form=forms.ReasonForm,
    ),
)


def _add_motion(actor: Any, meeting: Meeting, data: Mapping[str, Any]) -> Motion:
    item_pk = data.get("item")
    item = meeting.agenda.filter(pk=int(item_pk)).first() if item_pk else None
    return services.add_motion(
        actor,
        meeting,
        services.MotionInput(
            text=data["text"],
            method=data["method"],
            options=data.get("options") or [],
            max_choices=data.get("max_choices") or 1,
            voting=data["voting"],
            secret=bool(data.get("secret")),
            special=bool(data.get("special")),
            item=item,
        ),
    )


MEETING_ACTIONS: ActionTable[Meeting] = ActionTable(
    Action(
        "notice",
        lambda actor, meeting, data: services.publish_notice(actor, meeting),
        _("The notice is published; the people called have been told."),
    ),
    Action(
        "open",
        lambda actor, meeting, data: services.open_meeting(actor, meeting),
        _("The meeting is in session."),
    ),
    Action(
        "close",
        lambda actor, meeting, data: services.close_meeting(actor, meeting),
        _("The meeting is closed."),
    ),
    Action(
        "check-in-person",
        lambda actor, meeting, data: services.check_in(
            actor,
            meeting,
            nonce=f"desk-{data['person']}-{timezone.now().timestamp()}",
            person=_person(data["person"]),
        ),
        _("Checked in."),
        form=forms.PersonForm,
    ),
    Action(
        "proxy",
        lambda actor, meeting, data: services.record_proxy(
            actor,
            meeting,
            giver=_household(meeting, data["giver"]),
            holder=_person(data["holder"]),
            proof=data["proof"],
        ),
        _("The proxy is recorded."),
        form=forms.ProxyForm,
    ),
    Action("motion", _add_motion, _("The motion is added."), form=forms.MotionForm),
    Action(
        "sign",
        lambda actor, meeting, data: services.sign_minutes(
            actor,
            meeting,
            role=data["role"],
            typed_name=data["typed_name"],
            drawn_png=data["drawing"],
        ),
        _("The minutes are signed."),
        form=forms.SignForm,
    ),
)


def _vote(actor: Any, motion: Motion, data: Mapping[str, Any]) -> Any:
    household = _household(motion.meeting, data["household"]) if data.get("household") else None
    return services.cast_vote(actor, motion, data["choices"], household=household)


def _choices(motion: Motion) -> dict[str, Any]:
    return {"options": choice_labels(motion)}


def choice_labels(motion: Motion) -> list[tuple[str, str]]:
    if motion.method == Motion.Method.YES_NO:
        return [
            ("yes", str(_("In favour"))),
            ("no", str(_("Against"))),
            ("abstain", str(_("Abstain"))),
        ]
    return [(option, option) for option in motion.choices_list]


MOTION_ACTIONS: ActionTable[Motion] = ActionTable(
    Action("vote", _vote, _("Your vote is cast."), form=forms.VoteForm, form_kwargs=_choices),
    Action(
        "open",
        lambda actor, motion, data: services.open_ballot(
            actor, motion, timezone.now() + datetime.timedelta(minutes=data["minutes"])
        ),
        _("The ballot is open."),
        form=forms.BallotOpenForm,
    ),
    Action(
        "close",
        lambda actor, motion, data: services.close_ballot(actor, motion),
        _("The ballot is closed and counted."),
    ),
    Action(
        "tally",
        lambda actor, motion, data: services.enter_tally(actor, motion, data["counts"]),
        _("The show of hands is entered; a second person confirms it."),
        form=forms.TallyForm,
        form_kwargs=lambda motion: {"choices": choice_labels(motion)},
    ),
    Action(
        "confirm",
        lambda actor, motion, data: services.confirm_tally(actor, motion),
        _("The show of hands is confirmed and counted."),
    ),
    Action(
        "resolve",
        lambda actor, motion, data: services.adopt_resolution(
            actor,
            motion,
            text=data["text"],
            owner=data["owner"],
            deadline=data["deadline"],
            notice_days=data["notice_days"],
        ),
        _("The resolution is recorded."),
        form=forms.ResolutionForm,
    ),
)

RESOLUTION_ACTIONS: ActionTable[Resolution] = ActionTable(
    Action(
        "publish",
        lambda actor, resolution, data: services.publish_resolution(actor, resolution),
        _("The resolution is in public notice."),
    ),
    Action(
        "object",
        lambda actor, resolution, data: services.object_to(actor, resolution, data["reason"]),
        _("Your objection is recorded; the chair will answer it."),
        form=forms.ReasonForm,
    ),
    Action(
        "answer",
        lambda actor, resolution, data: services.answer_objection(
            actor,
            _objection(resolution, data["objection"]),
            data["answer"],
            upheld=bool(data.get("upheld")),
        ),
        _("The objection is answered."),
        form=forms.AnswerForm,
    ),
    Action(
        "done",
        lambda actor, resolution, data: services.mark_done(actor, resolution),
        _("The resolution is carried out."),
    ),
    Action(
        "need",
        lambda actor, resolution, data: services.spawn_need(actor, resolution),
        _("A need is raised on the needs list for this resolution."),
    ),
    Action(
        "whistle",
        lambda actor, resolution, data: services.spawn_whistle(actor, resolution, data["units"]),
        _("The whistle is blown: the units are called for this resolution."),
        form=forms.WhistleUnitsForm,
        form_kwargs=lambda resolution: {"units": services.whistle_units(resolution)},
    ),
)
