from django.contrib import admin

from wulian.notifications.models import Delivery, Notification, Preference, UnitWebhook


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ("title", "recipient", "kind", "urgent", "created_at", "read_at")
    list_filter = ("kind", "urgent")
    raw_id_fields = ("recipient", "organization")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ("notification", "channel", "state", "attempts", "sent_at", "next_attempt_at")
    list_filter = ("channel", "state")
    raw_id_fields = ("notification",)


admin.site.register(Preference)
admin.site.register(UnitWebhook)
