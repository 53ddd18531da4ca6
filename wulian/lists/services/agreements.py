"""Claim agreements (项目认领书): terms adjusted before signing, both sides' signatures,
the frozen text and its PDF."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.accounts import services as accounts
from wulian.accounts.models import User
from wulian.audit import services as audit
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.lists.models import (
    Agreement,
    Project,
    Signature,
)
from wulian.lists.services.common import PROJECT_FLOW, _project_url, _raiser_recipients
from wulian.notifications.services import tell

AGREEMENT_FIELDS = ("scope", "need_side_duties", "claimant_side_duties", "starts_on", "ends_on")


def agreement_text(agreement: Agreement) -> str:
    """The canonical text both sides sign; its hash is kept when the agreement is frozen."""
    parts = [
        agreement.project.title,
        agreement.need_side_name,
        agreement.claimant_side_name,
        *(str(getattr(agreement, name)) for name in AGREEMENT_FIELDS),
    ]
    return "\n".join(parts)


def update_agreement(actor: User, agreement: Agreement, **fields: Any) -> Agreement:
    project = agreement.project
    if not (
        actor.has_perm("lists.sign_agreement", project)
        or actor.has_perm("lists.manage_project", project)
    ):
        raise NotAllowed("agreement.not_party", _("Only the two parties can edit the agreement."))
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise DomainError("agreement.unknown_field", _("These fields cannot be changed."))
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if locked.signatures.exists():
            raise Conflict(
                "agreement.signed",
                _("Someone has already signed; the agreement can no longer be changed."),
            )
        before = audit.snapshot(locked, AGREEMENT_FIELDS)
        for name, value in fields.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        if locked.ends_on < locked.starts_on:
            raise DomainError("agreement.bad_dates", _("The end date is before the start date."))
        if not locked.scope.strip():
            raise DomainError("agreement.no_scope", _("Describe the scope of the project."))
        locked.save()
        audit.record(
            actor,
            "lists.agreement_updated",
            project,
            before=before,
            after=audit.snapshot(locked, AGREEMENT_FIELDS),
            community=project.community,
        )
    return locked


def sides_for(actor: User, project: Project) -> list[str]:
    from wulian.lists.rules import claimant_side, need_side

    sides: list[str] = []
    if need_side(actor, project):
        sides.append(Signature.Side.NEED)
    if claimant_side(actor, project):
        sides.append(Signature.Side.CLAIMANT)
    return sides


def _check_drawn_signature(png: bytes) -> None:
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    if len(png) > 2 * 1024 * 1024:
        raise DomainError("signature.too_large", _("The drawn signature is too large."))
    try:
        image = Image.open(BytesIO(png))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise DomainError(
            "signature.not_image", _("Draw your signature in the box before signing.")
        ) from exc
    if image.format != "PNG":
        raise DomainError(
            "signature.not_image", _("Draw your signature in the box before signing.")
        )
    grey = image.convert("LA") if image.mode in {"RGBA", "LA", "P"} else image.convert("L")
    if grey.mode == "LA":
        inked = sum(grey.getchannel("A").histogram()[41:])
    else:
        inked = sum(grey.histogram()[:200])
    if inked < 30:
        raise DomainError(
            "signature.blank", _("The signature box is empty. Draw your signature with a finger.")
        )


def sign_agreement(
    actor: User,
    agreement: Agreement,
    *,
    side: str,
    typed_name: str,
    drawn_png: bytes | None = None,
    code: str = "",
    ip_address: str | None = None,
) -> Signature:
    """One side confirms the agreement: their full name typed, and either their signature
    drawn or, for those who cannot draw one, a code texted to their mobile
    (`send_signing_code`)."""
    project = agreement.project
    if side not in sides_for(actor, project):
        raise NotAllowed(
            "agreement.not_party", _("You cannot sign for this side of the agreement.")
        )
    if "".join(typed_name.split()) != "".join(actor.real_name.split()):
        raise DomainError(
            "signature.name_mismatch",
            _("Type your full name exactly as registered: %(name)s.") % {"name": actor.real_name},
        )
    _check_open_for_signing(agreement, side)
    if code:
        accounts.confirm_with_code(actor, code, ip_address)
    elif drawn_png is not None:
        _check_drawn_signature(drawn_png)
    else:
        raise DomainError(
            "signature.missing", _("Draw your signature, or confirm with a texted code.")
        )
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        current = Project.objects.select_for_update().get(pk=project.pk)
        if current.state != Project.State.SIGNING:
            raise Conflict(
                "agreement.not_signing", _("This agreement is no longer open for signing.")
            )
        if locked.signatures.filter(side=side).exists():
            raise Conflict("agreement.already_signed", _("This side has already signed."))
        signature = Signature(
            agreement=locked,
            side=side,
            signer=actor,
            typed_name=actor.real_name,
            method=Signature.Method.SMS if code else Signature.Method.DRAWN,
            ip_address=ip_address,
        )
        if not code and drawn_png is not None:
            signature.image.save(
                f"agreement-{locked.pk}-{side}.png", ContentFile(drawn_png), save=False
            )
        signature.save()
        audit.record(
            actor,
            "lists.agreement_signed",
            current,
            after={"side": side, "method": signature.method},
            community=current.community,
        )
        if locked.signatures.count() == 2:
            now = timezone.now()
            locked.frozen_at = now
            locked.content_hash = hashlib.sha256(agreement_text(locked).encode()).hexdigest()
            locked.save(update_fields=["frozen_at", "content_hash"])
            PROJECT_FLOW.apply(
                current,
                Project.State.ACTIVE,
                None,
                action="lists.agreement_frozen",
                after={"hash": locked.content_hash},
                started_at=now,
                last_activity_at=now,
            )
            claim_side = [current.claim.organization or current.claim.claimant]
            tell(
                [*_raiser_recipients(current.need), *claim_side],
                "agreement.final",
                gettext_lazy("Both sides signed the claim agreement for “%(title)s”."),
                gettext_lazy("The project has started; the agreement can be downloaded as a PDF."),
                url=_project_url(current),
                obj=current,
                title=current.title,
            )
    return signature


def _check_open_for_signing(agreement: Agreement, side: str) -> None:
    """Refuse early (before a texted code is used up) what the locked check would refuse."""
    if agreement.project.state != Project.State.SIGNING:
        raise Conflict("agreement.not_signing", _("This agreement is no longer open for signing."))
    if agreement.signatures.filter(side=side).exists():
        raise Conflict("agreement.already_signed", _("This side has already signed."))


def send_signing_code(
    actor: User, agreement: Agreement, side: str, ip_address: str | None = None
) -> None:
    """Text the signer a code that confirms their signature in place of a drawn one."""
    project = agreement.project
    if side not in sides_for(actor, project):
        raise NotAllowed(
            "agreement.not_party", _("You cannot sign for this side of the agreement.")
        )
    _check_open_for_signing(agreement, side)
    accounts.send_confirmation_code(
        actor,
        _("sign the claim agreement for “%(title)s”") % {"title": project.title[:30]},
        ip_address,
    )


def agreement_pdf(agreement: Agreement) -> bytes:
    """The frozen agreement as a PDF, rendered once and kept."""
    if agreement.frozen_at is None:
        raise Conflict("agreement.not_final", _("The agreement is not signed by both sides yet."))
    if agreement.pdf:
        with agreement.pdf.open("rb") as fh:
            return bytes(fh.read())
    from wulian.lists.documents import render_agreement

    pdf = render_agreement(agreement)
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if not locked.pdf:
            locked.pdf.save(f"agreement-{locked.pk}.pdf", ContentFile(pdf), save=True)
    return pdf
