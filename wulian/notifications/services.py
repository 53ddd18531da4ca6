"""Notifications: `notify` stores inbox rows and schedules their delivery after commit.

    from wulian.notifications.services import notify
    notify([user, organization], kind="whistle.called", title=..., body=..., url=...,
           urgent=True, obj=whistle)

Recipients are people and units; a unit means each of its members, and its webhook once.
Every recipient gets an inbox row; a delivery row per extra channel: SMS when they chose it
or the item is urgent, email when they chose it and gave an address, the unit's webhook.
Deliveries are sent by a task after the transaction commits, claimed first so that a task
run twice sends once, and retried with exponential backoff (30 s, 1, 2, 4, 8 min…) up to
MAX_ATTEMPTS. A delivery left "sending" by a worker that died is sent again after
SENDING_LEASE: the one case where a message may arrive twice (webhooks carry the delivery id
so that a receiver can drop the repeat).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.accounts.models import User
from wulian.audit import services as audit
from wulian.core import versions
from wulian.core.errors import DomainError, NotAllowed
from wulian.notifications import channels
from wulian.notifications.models import Channel, Delivery, Notification, Preference, UnitWebhook
from wulian.orgs.models import Membership, Organization

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE = datetime.timedelta(seconds=30)
BACKOFF_MAX = datetime.timedelta(hours=1)
SENDING_LEASE = datetime.timedelta(minutes=10)
RECOVERY_GRACE = datetime.timedelta(minutes=1)

audit.register_actions(
    {
        "notifications.preferences_changed": gettext_lazy("changed notification channels"),
        "notifications.webhook_changed": gettext_lazy("changed the unit's webhook"),
    }
)

Recipient = User | Organization


def backoff(attempts: int) -> datetime.timedelta:
    """How long to wait after the given number of failed attempts."""
    delay: datetime.timedelta = BACKOFF_BASE * (2 ** max(attempts - 1, 0))
    return min(delay, BACKOFF_MAX)


# ------------------------------------------------------------------ notify


def _members(org: Organization) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(organization=org, user__is_active=True)
        .select_related("user")
        .order_by("id")
    ]


def tell(
    recipients: Iterable[Recipient],
    kind: str,
    headline: str | Promise,
    detail: str | Promise = "",
    *,
    url: str = "",
    obj: models.Model | None = None,
    urgent: bool = False,
    key: str = "",
    **params: Any,
) -> list[Notification]:
    """Tell people what happened: the text rendered in the site's language with `params`.

    Write the text lazily (`gettext_lazy`) with `%(name)s` placeholders; values that are
    themselves lazy are rendered in the same language. Plain strings (what a person typed)
    are passed as they are, never formatted.
    """
    recipients = list(recipients)
    if not recipients:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        values = {k: str(v) if isinstance(v, Promise) else v for k, v in params.items()}

        def render(text: str | Promise) -> str:
            return str(text) % values if isinstance(text, Promise) and values else str(text)

        title, body = render(headline), render(detail)
    return notify(
        recipients, kind=kind, title=title, body=body, url=url, obj=obj, urgent=urgent, key=key
    )


def notify(
    recipients: Iterable[Recipient],
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    urgent: bool = False,
    obj: models.Model | None = None,
    key: str = "",
) -> list[Notification]:
    """Store one inbox row per person and schedule the deliveries after commit.

    `key`, when given, makes the notification unique per person: calling again with the same
    key notifies nobody twice (deadline sweeps rely on it).
    """
    people: dict[int, tuple[User, Organization | None]] = {}
    units: list[Organization] = []
    for recipient in recipients:
        if isinstance(recipient, Organization):
            units.append(recipient)
            for member in _members(recipient):
                people.setdefault(member.pk, (member, recipient))
        elif recipient.is_active:
            people.setdefault(recipient.pk, (recipient, None))
    if not people:
        return []
    content_type = ContentType.objects.get_for_model(obj) if obj is not None else None
    object_id = str(obj.pk) if obj is not None else ""
    preferences = {p.user_id: p for p in Preference.objects.filter(user_id__in=list(people))}
    webhooks = {
        w.organization_id: w
        for w in UnitWebhook.objects.filter(organization__in=units, is_active=True)
    }
    created: list[Notification] = []
    deliveries: list[Delivery] = []
    with transaction.atomic():
        done_keys: set[int] = set()
        if key:
            done_keys = set(
                Notification.objects.filter(key=key, recipient_id__in=list(people)).values_list(
                    "recipient_id", flat=True
                )
            )
        for user_id, (user, org) in people.items():
            if user_id in done_keys:
                continue
            notification = Notification(
                recipient=user,
                organization=org,
                kind=kind,
                title=title[:200],
                body=body,
                url=url[:300],
                urgent=urgent,
                content_type=content_type,
                object_id=object_id,
                key=key[:120],
            )
            try:
                with transaction.atomic():
                    notification.save()
            except IntegrityError:
                continue  # notified meanwhile under the same key
            created.append(notification)
            preference = preferences.get(user_id)
            if urgent or (preference is not None and preference.sms):
                deliveries.append(
                    Delivery(notification=notification, channel=Channel.SMS, address=user.mobile)
                )
            if preference is not None and preference.email and preference.email_address:
                deliveries.append(
                    Delivery(
                        notification=notification,
                        channel=Channel.EMAIL,
                        address=preference.email_address,
                    )
                )
            if org is not None and org.pk in webhooks:
                # A unit's robot hears each event once: on the first member's notification.
                deliveries.append(
                    Delivery(
                        notification=notification,
                        channel=Channel.WEBHOOK,
                        address=webhooks.pop(org.pk).url,
                    )
                )
        Delivery.objects.bulk_create(deliveries)
        ids = list(
            Delivery.objects.filter(notification__in=created)
            .values_list("id", flat=True)
            .order_by("id")
        )
        if ids:
            transaction.on_commit(lambda: enqueue_deliveries(ids))
    return created


def enqueue_deliveries(ids: Sequence[int]) -> None:
    """Hand deliveries to the workers. A failure here only delays them: the worker's periodic
    recovery finds pending deliveries and enqueues them again."""
    from wulian.notifications.tasks import deliver_task

    for delivery_id in ids:
        try:
            deliver_task.enqueue(delivery_id)
        except Exception:
            logger.exception("could not enqueue delivery %s", delivery_id)


# ------------------------------------------------------------------ delivery


def _claim(delivery_id: int, now: datetime.datetime) -> Delivery | None:
    """Take a pending delivery for this worker, or None when it is not ours to send."""
    ready = Delivery.objects.filter(
        pk=delivery_id, state=Delivery.State.PENDING, next_attempt_at__lte=now
    )
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            delivery = ready.select_for_update(skip_locked=True).first()
            if delivery is None:
                return None
            delivery.state = Delivery.State.SENDING
            delivery.claimed_at = now
            delivery.attempts += 1
            delivery.save(update_fields=["state", "claimed_at", "attempts"])
        else:
            # SQLite: one writer at a time, so a conditional UPDATE is the claim.
            if not ready.update(
                state=Delivery.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
            ):
                return None
    return Delivery.objects.select_related("notification__organization").get(pk=delivery_id)


@dataclass(frozen=True)
class Outcome:
    state: str
    retry_at: datetime.datetime | None = None


def deliver(delivery_id: int) -> Outcome:
    """Send one delivery if it is still pending and due; idempotent."""
    now = timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        current = Delivery.objects.filter(pk=delivery_id).values_list("state", flat=True).first()
        return Outcome(current or "missing")
    try:
        channels.send(delivery)
    except Exception as exc:
        permanent = isinstance(exc, channels.DeliveryError) and exc.permanent
        final = permanent or delivery.attempts >= MAX_ATTEMPTS
        retry_at = None if final else timezone.now() + backoff(delivery.attempts)
        Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.SENDING).update(
            state=Delivery.State.FAILED if final else Delivery.State.PENDING,
            next_attempt_at=retry_at or F("next_attempt_at"),
            last_error=str(exc)[:2000],
        )
        if retry_at is not None:
            _enqueue_retry(delivery.pk, retry_at)
        logger.warning("delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, exc)
        return Outcome(Delivery.State.FAILED if final else Delivery.State.PENDING, retry_at)
    Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.SENDING).update(
        state=Delivery.State.SENT, sent_at=timezone.now(), last_error=""
    )
    return Outcome(Delivery.State.SENT)


def _enqueue_retry(delivery_id: int, when: datetime.datetime) -> None:
    from wulian.notifications.tasks import deliver_task

    try:
        deliver_task.using(run_after=when).enqueue(delivery_id)
    except Exception:
        logger.exception("could not schedule a retry of delivery %s", delivery_id)


def recover_deliveries(now: datetime.datetime | None = None) -> int:
    """Find deliveries no task will send (an enqueue lost, a worker killed mid-send) and
    enqueue them again. Run by the worker's scheduler; returns how many were enqueued."""
    now = now or timezone.now()
    Delivery.objects.filter(
        state=Delivery.State.SENDING, claimed_at__lt=now - SENDING_LEASE
    ).update(state=Delivery.State.PENDING, next_attempt_at=now)
    ids = list(
        Delivery.objects.filter(
            state=Delivery.State.PENDING,
            next_attempt_at__lte=now - RECOVERY_GRACE,
        ).values_list("id", flat=True)[:1000]
    )
    enqueue_deliveries(ids)
    return len(ids)


# ------------------------------------------------------------------ inbox


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user: User, notification: Notification) -> Notification:
    if notification.recipient_id != user.pk:
        raise NotAllowed("notification.not_yours", _("This notification is not yours."))
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
        versions.bump("person", user.pk, everywhere=False)  # the menu's unread count
    return notification


def mark_all_read(user: User) -> int:
    marked = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    versions.bump("person", user.pk, everywhere=False)
    return marked


def set_preferences(user: User, *, sms: bool, email: bool, email_address: str = "") -> Preference:
    email_address = email_address.strip()
    if email and not email_address:
        raise DomainError(
            "notification.no_email", _("Give an email address to receive notifications by email.")
        )
    with transaction.atomic():
        preference, _created = Preference.objects.select_for_update().get_or_create(user=user)
        before = audit.snapshot(preference, ("sms", "email", "email_address"))
        preference.sms = sms
        preference.email = email
        preference.email_address = email_address
        preference.save()
        audit.record(
            user,
            "notifications.preferences_changed",
            preference,
            before=before,
            after=audit.snapshot(preference, ("sms", "email", "email_address")),
        )
    return preference


def set_unit_webhook(actor: User, org: Organization, url: str, *, active: bool = True) -> None:
    """A unit's administrator (or staff) sets the robot address; an empty URL removes it."""
    if not actor.has_perm("orgs.change_organization", org):
        raise NotAllowed(
            "notification.not_unit_admin",
            _("Only the unit's administrators can change its webhook."),
        )
    url = url.strip()
    if url:
        try:
            channels.check_webhook_url(url)
        except channels.DeliveryError as exc:
            raise DomainError(
                "notification.bad_webhook",
                _("The webhook address must be a public http or https address."),
            ) from exc
    with transaction.atomic():
        existing = UnitWebhook.objects.select_for_update().filter(organization=org).first()
        before = {"url": existing.url, "active": existing.is_active} if existing else None
        if not url:
            if existing is not None:
                existing.delete()
        else:
            UnitWebhook.objects.update_or_create(
                organization=org, defaults={"url": url, "is_active": active}
            )
        audit.record(
            actor,
            "notifications.webhook_changed",
            org,
            before=before,
            after={"url": url, "active": active} if url else None,
            community=org.region if org.region.is_community else None,
        )
