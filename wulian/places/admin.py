from django.contrib import admin

from wulian.places.models import Compound, Region, StaffAssignment


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ["name", "level", "parent", "population", "party_members"]
    list_filter = ["level"]
    search_fields = ["name"]


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin[Compound]):
    list_display = ["name", "community", "households"]
    search_fields = ["name"]


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(admin.ModelAdmin[StaffAssignment]):
    list_display = ["user", "region", "role", "title"]
    autocomplete_fields = ["user", "region"]
