from dataclasses import dataclass

from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from centers.images import process_upload
from centers.models import Center, Exhibition, Photo, Room, Service, Team, User


def within_years(value):
    """Refuse a date outside 2000–2100: Python's dates stop at years 1 and 9999, where adding
    the time zone or an activity's duration overflows (a server error), and nothing this portal
    schedules or shows lies that far away."""
    if value and not (2000 <= value.year <= 2100):
        raise forms.ValidationError(_("请选择 2000 至 2100 年之间的日期。"), code="out_of_range")


class DateInput(forms.DateInput):
    """A native date picker; the value must be ISO, whatever the locale's display format."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs=attrs, format=format)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None, format="%H:%M"):
        super().__init__(attrs=attrs, format=format)


class ImageUploadField(forms.FileField):
    """A file field that accepts only a real image and returns it re-encoded (EXIF stripped)."""

    widget = forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"})

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if value and value is not initial and hasattr(value, "read"):
            return process_upload(value)
        return value


class CenterForm(forms.ModelForm):
    class Meta:
        model = Center
        fields = [
            "name",
            "short_name",
            "brand",
            "brand_story",
            "intro",
            "address",
            "phone",
            "opening_hours",
            "area_sqm",
            "is_published",
        ]
        widgets = {
            "brand_story": forms.Textarea(attrs={"rows": 3}),
            "intro": forms.Textarea(attrs={"rows": 5}),
            "opening_hours": forms.Textarea(attrs={"rows": 3}),
        }


class RoomForm(forms.ModelForm):
    photo = ImageUploadField(label=_("照片"), required=False)

    class Meta:
        model = Room
        fields = ["name", "kind", "capacity", "description", "photo", "sort_order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ExhibitionForm(forms.ModelForm):
    class Meta:
        model = Exhibition
        fields = ["name", "description", "halls", "sort_order"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "halls": forms.Textarea(attrs={"rows": 5}),
        }


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["name", "description", "sort_order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["kind", "name", "description", "member_count", "sort_order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, center=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._center = center or getattr(self.instance, "center", None)

    def clean(self):
        cleaned = super().clean()
        name, kind = cleaned.get("name"), cleaned.get("kind")
        if self._center and name and kind:
            clash = Team.objects.filter(center=self._center, kind=kind, name=name)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", _("本中心已有同名的队伍或组织。"))
        return cleaned


class PhotoForm(forms.ModelForm):
    image = ImageUploadField(label=_("照片"))

    class Meta:
        model = Photo
        fields = ["image", "caption", "sort_order"]


@dataclass(frozen=True)
class ContentKind:
    """One kind of content on a center page that staff keep in the console."""

    key: str
    model: type
    form: type
    label: str
    image_field: str | None = None


CONTENT_KINDS = {
    kind.key: kind
    for kind in [
        ContentKind("rooms", Room, RoomForm, _("功能室"), image_field="photo"),
        ContentKind("exhibitions", Exhibition, ExhibitionForm, _("展馆")),
        ContentKind("services", Service, ServiceForm, _("重点服务")),
        ContentKind("teams", Team, TeamForm, _("队伍与组织")),
        ContentKind("photos", Photo, PhotoForm, _("照片"), image_field="image"),
    ]
}


class PhoneAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("手机号码或密码不正确，请重新输入。"),
        "inactive": _("该账号已停用，请联系社区工作人员。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # AuthenticationForm sets the field's max_length after the field is built, which sizes
        # the input box but checks nothing: an overlong "phone number" would reach
        # authenticate(), and django-axes would fail (a server error) to record the failed
        # attempt in its 255-character column.
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class ResidentSignupForm(BaseUserCreationForm):
    """A resident account: phone number, name and password, with consent to the privacy notice."""

    consent = forms.BooleanField(
        label=_("我已阅读并同意：手机号码仅用于活动报名、议事进度通知和登录，不会公开。"),
        error_messages={"required": _("请阅读并勾选同意后再注册。")},
    )

    class Meta:
        model = User
        fields = ["phone", "name"]
        labels = {"name": _("姓名或称呼")}
        help_texts = {"phone": _("用于登录和接收活动通知。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["phone"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "tel"})
        self.fields["phone"].error_messages["unique"] = _("这个手机号码已经注册过了，请直接登录。")

    def save(self, commit=True):
        raise NotImplementedError("Use centers.services.resident_register().")


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索名称"), required=False, max_length=50)
    level = forms.ChoiceField(
        label=_("层级"), required=False, choices=[("", _("全部层级")), *Center.Level.choices]
    )
    street = forms.ChoiceField(label=_("所属街道"), required=False)

    def __init__(self, *args, streets=(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = [("", _("全部街道"))] + [(s.slug, s.name) for s in streets]
