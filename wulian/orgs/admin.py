from django.contrib import admin

from wulian.orgs.models import Membership, Organization, Partnership


class MembershipInline(admin.TabularInline[Membership, Organization]):
    model = Membership
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ["name", "kind", "region", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]
    inlines = [MembershipInline]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin[Partnership]):
    list_display = ["host", "partner", "status", "started_on"]
    list_filter = ["status"]
