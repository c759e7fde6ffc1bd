from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from centers.forms import CONTENT_KINDS, ImageUploadField
from centers.images import ProcessedImage
from centers.models import (
    AuditEntry,
    Center,
    Exhibition,
    Photo,
    Room,
    Service,
    StaffRole,
    Team,
    User,
)

# The Django admin is for superusers only; all staff work in /manage/.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
admin.site.site_header = _("党群服务中心 · 系统管理")
admin.site.site_title = _("系统管理")


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 1
    autocomplete_fields = ["center"]


@admin.register(Center)
class CenterAdmin(TreeAdmin):
    form = movenodeform_factory(Center)
    list_display = ["name", "level", "brand", "is_published"]
    list_filter = ["level", "is_published"]
    search_fields = ["name", "short_name", "slug"]
    prepopulated_fields = {}


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "center", "role"]
    list_filter = ["role", "center__level"]
    search_fields = ["user__phone", "user__name", "center__name"]
    autocomplete_fields = ["user", "center"]
    list_select_related = ["user", "center"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "center", "action", "summary"]
    list_filter = ["action"]
    list_select_related = ["actor", "center"]
    search_fields = ["summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ContentAdminForm(forms.ModelForm):
    """Center page content in the admin: a photo is checked and re-encoded as in /manage/.

    ImageUploadField hands back a ProcessedImage; the model gets its full image, and the
    thumbnail (not editable, so not on the form) is set beside it.
    """

    image_field = None

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get(self.image_field)
        if isinstance(value, ProcessedImage):
            cleaned[self.image_field] = value.image
            self.instance.thumbnail = value.thumbnail
        elif value is False:
            self.instance.thumbnail = ""
        return cleaned


for model in (Room, Exhibition, Service, Team, Photo):
    kind = next(kind for kind in CONTENT_KINDS.values() if kind.model is model)

    @admin.register(model)
    class ContentAdmin(admin.ModelAdmin):
        form = type("ContentAdminForm", (ContentAdminForm,), {"image_field": kind.image_field})
        formfield_overrides = {models.ImageField: {"form_class": ImageUploadField}}
        list_display = ["__str__", "center", "sort_order"]
        list_select_related = ["center"]
        search_fields = ["center__name"]
        autocomplete_fields = ["center"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["phone"]
    list_display = ["phone", "name", "is_active", "is_superuser"]
    search_fields = ["phone", "name"]
    fieldsets = [
        (None, {"fields": ["phone", "password"]}),
        (_("个人信息"), {"fields": ["name", "email"]}),
        (_("权限"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["phone", "name", "password1", "password2"]})
    ]
    inlines = [StaffRoleInline]
