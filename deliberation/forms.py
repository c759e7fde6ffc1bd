"""Forms of the public deliberation pages: raise an issue, look up a code, rate the result."""

from django import forms
from django.utils.translation import gettext_lazy as _

from centers.forms import ImageUploadField
from deliberation import selectors
from deliberation.models import CODE_LENGTH, Issue, normalize_code

#: The honeypot's field name: a word that form-filling scripts cannot resist.
HONEYPOT = "website"
PHOTO_FIELDS = ("photo1", "photo2", "photo3")
REQUIRED_MESSAGES = {
    "center": _("请选择社区。"),
    "title": _("请用一句话写下问题标题。"),
    "category": _("请选择问题类别。"),
    "description": _("请写一写具体情况。"),
}


def _digits(text):
    """A typed phone number as digits only, without a leading +86 / 86."""
    digits = "".join(ch for ch in (text or "") if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


class TelInput(forms.TextInput):
    input_type = "tel"


class IssuePhotoField(ImageUploadField):
    """A photo for an issue, re-encoded without EXIF like every upload.

    The stored file's name would otherwise keep the resident's own file name (which may carry
    their name or a place); issue photos are served publicly, so it is replaced.
    """

    def clean(self, data, initial=None):
        if data and hasattr(data, "read"):
            data.name = "photo.jpg"
        return super().clean(data, initial)


class IssueForm(forms.ModelForm):
    """What a resident fills in to raise an issue. Saved through `services.issue_submit`."""

    center = forms.ChoiceField(label=_("向哪个社区反映"))
    photo1 = IssuePhotoField(label=_("照片 1"), required=False)
    photo2 = IssuePhotoField(label=_("照片 2"), required=False)
    photo3 = IssuePhotoField(label=_("照片 3"), required=False)
    # Declared here so that "138 0000 1234" gets through to clean_submitter_phone(); the
    # model's own validators check the normalised number.
    submitter_phone = forms.CharField(
        label=_("手机号码"),
        required=False,
        max_length=20,
        widget=TelInput,
        help_text=_("留下手机号码，才能收到办理进展短信，并在办结后评价。"),
    )
    website = forms.CharField(label=_("请勿填写此项"), required=False)

    class Meta:
        model = Issue
        fields = [
            "title",
            "category",
            "description",
            "location",
            "submitter_name",
            "submitter_phone",
            "is_anonymous",
        ]
        labels = {
            "title": _("问题标题"),
            "description": _("具体情况"),
            "location": _("具体地点（选填）"),
            "submitter_name": _("您的姓名"),
            "is_anonymous": _("匿名反映（姓名和电话可以不填）"),
        }
        help_texts = {
            "title": _("一句话说清楚，例如：园艺所西巷雨天积水"),
            "description": _("发生了什么、持续多久、影响到哪些居民。"),
            "location": _("小区、楼号或路口，例如：煤田小区3号楼东侧"),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    field_order = [
        "center",
        "title",
        "category",
        "description",
        "location",
        *PHOTO_FIELDS,
        "submitter_name",
        "submitter_phone",
        "is_anonymous",
        HONEYPOT,
    ]

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        groups, self._centers = selectors.community_choices()
        self.fields["center"].choices = [("", _("请选择社区")), *groups]
        self.fields["category"].choices = [("", _("请选择类别")), *Issue.Category.choices]
        self.fields["submitter_name"].required = False
        self.fields["submitter_phone"].required = False
        self.fields["submitter_name"].widget.attrs.update({"autocomplete": "name"})
        self.fields["submitter_phone"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "tel"}
        )
        self.fields[HONEYPOT].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        for name, message in REQUIRED_MESSAGES.items():
            self.fields[name].error_messages["required"] = message
        if user is not None and user.is_authenticated and not self.is_bound:
            self.initial.setdefault("submitter_name", user.name)
            self.initial.setdefault("submitter_phone", user.phone)

    @property
    def photo_fields(self):
        return [self[name] for name in PHOTO_FIELDS]

    def clean_center(self):
        center = self._centers.get(self.cleaned_data["center"])
        if center is None:
            raise forms.ValidationError(_("请选择社区。"))
        return center

    def clean_submitter_name(self):
        return self.cleaned_data["submitter_name"].strip()

    def clean_submitter_phone(self):
        return _digits(self.cleaned_data["submitter_phone"])

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("is_anonymous"):
            if not cleaned.get("submitter_name") and "submitter_name" not in self.errors:
                self.add_error("submitter_name", _("请填写姓名，或勾选“匿名反映”。"))
            if not cleaned.get("submitter_phone") and "submitter_phone" not in self.errors:
                self.add_error("submitter_phone", _("请填写手机号码，或勾选“匿名反映”。"))
        return cleaned

    def service_data(self):
        """The fields `services.issue_submit` takes, from the cleaned form."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def photos(self):
        return [self.cleaned_data[name] for name in PHOTO_FIELDS if self.cleaned_data.get(name)]


class TrackLookupForm(forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=40,
        help_text=_("12位字母和数字，短横线和大小写都可以不管。"),
        error_messages={"required": _("请输入查询码。")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "XXXX-XXXX-XXXX",
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_code(self):
        typed = "".join(ch for ch in self.cleaned_data["code"] if ch.isalnum())
        if len(typed) != CODE_LENGTH:
            raise forms.ValidationError(
                _("查询码是 %(n)s 位字母和数字，请核对后重新输入。") % {"n": CODE_LENGTH}
            )
        return normalize_code(typed)


class RatingForm(forms.Form):
    """The resident's rating of a resolved issue; the phone proves it is theirs."""

    satisfaction = forms.ChoiceField(
        label=_("您对办理结果满意吗？"),
        choices=Issue.Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择评价。")},
    )
    comment = forms.CharField(
        label=_("意见和建议（选填）"),
        required=False,
        max_length=Issue._meta.get_field("rating_comment").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("只有工作人员能看到，用于改进办理。"),
    )
    phone = forms.CharField(
        label=_("反映问题时留下的手机号码"),
        max_length=20,
        help_text=_("用于确认是您本人评价，不会显示。"),
        widget=TelInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )

    def __init__(self, *args, need_phone=True, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if not need_phone:
            del self.fields["phone"]

    def clean_phone(self):
        return _digits(self.cleaned_data["phone"])
