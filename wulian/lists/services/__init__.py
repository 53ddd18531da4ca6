"""The three lists: every change to a need, resource, claim or project is one function here.

Each is transactional, locks the scarce row, writes an audit entry, and refuses with a
`DomainError` that carries a stable code when the move is not allowed.
"""

from wulian.lists.services.agreements import (
    AGREEMENT_FIELDS,
    agreement_pdf,
    agreement_text,
    send_signing_code,
    sides_for,
    sign_agreement,
    update_agreement,
)
from wulian.lists.services.attachments import attach, needs_matching, record_export
from wulian.lists.services.claims import cancel_claim, claim_need
from wulian.lists.services.common import (
    CLAIM_FLOW,
    LIVE_PROJECT_STATES,
    NEED_FIELDS,
    NEED_FLOW,
    OPEN_STATES,
    PROJECT_FLOW,
    RESOURCE_FIELDS,
    RESOURCE_FLOW,
    org_party_kind,
    split_tags,
)
from wulian.lists.services.invitations import InvitationsSent, invite_to_claim, send_invitations
from wulian.lists.services.needs import (
    NeedInput,
    ask_for_resource,
    expire_needs,
    merge_need,
    publish_need,
    raise_need,
    reject_need,
    update_need,
    withdraw_need,
)
from wulian.lists.services.projects import (
    Outcomes,
    add_milestone,
    cancel_project,
    complete_project,
    mark_stalled_projects,
    post_progress,
    rate_project,
)
from wulian.lists.services.resources import (
    CAPACITY_PERIODS,
    ResourceInput,
    create_resource,
    parse_capacity,
    set_resource_status,
    update_resource,
)
from wulian.lists.services.taxonomy import add_category, rename_category, set_category_active

__all__ = [
    "AGREEMENT_FIELDS",
    "CAPACITY_PERIODS",
    "CLAIM_FLOW",
    "LIVE_PROJECT_STATES",
    "NEED_FIELDS",
    "NEED_FLOW",
    "OPEN_STATES",
    "PROJECT_FLOW",
    "RESOURCE_FIELDS",
    "RESOURCE_FLOW",
    "InvitationsSent",
    "NeedInput",
    "Outcomes",
    "ResourceInput",
    "add_category",
    "add_milestone",
    "agreement_pdf",
    "agreement_text",
    "ask_for_resource",
    "attach",
    "cancel_claim",
    "cancel_project",
    "claim_need",
    "complete_project",
    "create_resource",
    "expire_needs",
    "invite_to_claim",
    "mark_stalled_projects",
    "merge_need",
    "needs_matching",
    "org_party_kind",
    "parse_capacity",
    "post_progress",
    "publish_need",
    "raise_need",
    "rate_project",
    "record_export",
    "reject_need",
    "rename_category",
    "send_invitations",
    "send_signing_code",
    "set_category_active",
    "set_resource_status",
    "sides_for",
    "sign_agreement",
    "split_tags",
    "update_agreement",
    "update_need",
    "update_resource",
    "withdraw_need",
]
