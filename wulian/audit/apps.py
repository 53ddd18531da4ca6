from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The log under everything: it imports no other part of Wulian, core included."""

    name = "wulian.audit"
    label = "audit"
    verbose_name = _("Audit log")
