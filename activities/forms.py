from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from centers.forms import DateInput, ImageUploadField, TimeInput, within_years
from centers.models import Center, Room, Team

WEEKDAYS = [
    ("MO", _("周一")),
    ("TU", _("周二")),
    ("WE", _("周三")),
    ("TH", _("周四")),
    ("FR", _("周五")),
    ("SA", _("周六")),
    ("SU", _("周日")),
]


class Repeat:
    NONE = ""
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    CHOICES = [
        (NONE, _("不重复")),
        (DAILY, _("每天")),
        (WEEKLY, _("每周")),
        (MONTHLY, _("每月（同一日期）")),
    ]


def build_rule(*, freq, weekdays, until):
    """An RFC 5545 RRULE for the form's choices; UNTIL is the end of `until` in local time."""
    if not freq:
        return ""
    parts = [f"FREQ={freq}"]
    if freq == Repeat.WEEKLY and weekdays:
        parts.append("BYDAY=" + ",".join(weekdays))
    end = timezone.make_aware(datetime.combine(until, time(23, 59, 59)))
    parts.append("UNTIL=" + end.astimezone(timezone.UTC).strftime("%Y%m%dT%H%M%SZ"))
    return ";".join(parts)


def parse_rule_fields(rule):
    """The form's (freq, weekdays, until) for a stored rule (best effort)."""
    fields = dict(part.split("=", 1) for part in rule.split(";") if "=" in part)
    until = None
    if "UNTIL" in fields:
        raw = fields["UNTIL"].rstrip("Z")
        fmt = "%Y%m%dT%H%M%S" if "T" in raw else "%Y%m%d"
        until = timezone.localtime(datetime.strptime(raw, fmt).replace(tzinfo=timezone.UTC)).date()
    return fields.get("FREQ", ""), [d for d in fields.get("BYDAY", "").split(",") if d], until


class ActivityForm(forms.ModelForm):
    """Staff's activity form: repetition is chosen in words and stored as an RRULE."""

    start_date = forms.DateField(label=_("日期"), widget=DateInput(), validators=[within_years])
    start_time = forms.TimeField(label=_("开始时间"), widget=TimeInput())
    repeat = forms.ChoiceField(label=_("重复"), choices=Repeat.CHOICES, required=False)
    weekdays = forms.MultipleChoiceField(
        label=_("每周的哪几天"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("每周重复时选择；不选则按开始日期的星期。"),
    )
    repeat_until = forms.DateField(
        label=_("重复到"),
        required=False,
        widget=DateInput(),
        validators=[within_years],
        help_text=_("重复活动必填，如 6 月 30 日。"),
    )
    cover = ImageUploadField(label=_("封面图片"), required=False)

    class Meta:
        model = Activity
        fields = [
            "title",
            "category",
            "audience",
            "description",
            "room",
            "location",
            "organizer",
            "duration_minutes",
            "capacity",
            "registration_required",
            "registration_closes_hours",
            "volunteer_hours",
            "cover",
            "is_published",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    field_order = [
        "title",
        "category",
        "audience",
        "description",
        "start_date",
        "start_time",
        "duration_minutes",
        "repeat",
        "weekdays",
        "repeat_until",
    ]

    def __init__(self, *args, center: Center, **kwargs):
        super().__init__(*args, **kwargs)
        self.center = center
        self.fields["room"].queryset = Room.objects.filter(center=center)
        self.fields["organizer"].queryset = Team.objects.filter(center=center)
        if self.instance.pk:
            local = timezone.localtime(self.instance.starts_at)
            self.initial.setdefault("start_date", local.date())
            self.initial.setdefault("start_time", local.time().replace(second=0))
            freq, days, until = parse_rule_fields(self.instance.recurrence)
            self.initial.setdefault("repeat", freq)
            self.initial.setdefault("weekdays", days)
            self.initial.setdefault("repeat_until", until)

    def clean(self):
        cleaned = super().clean()
        day, at = cleaned.get("start_date"), cleaned.get("start_time")
        if day and at:
            cleaned["starts_at"] = timezone.make_aware(datetime.combine(day, at))
        repeat, until = cleaned.get("repeat"), cleaned.get("repeat_until")
        if repeat:
            if not until:
                self.add_error("repeat_until", _("重复活动请填写重复到哪一天。"))
            elif day and until < day:
                self.add_error("repeat_until", _("重复截止日期不能早于开始日期。"))
            elif day and (until - day).days > 3 * 366:
                self.add_error("repeat_until", _("重复活动最长安排三年。"))
        if not self.errors and day:
            cleaned["recurrence"] = build_rule(
                freq=repeat, weekdays=cleaned.get("weekdays"), until=until
            )
        elif not repeat:
            cleaned["recurrence"] = ""
        if not cleaned.get("room") and not cleaned.get("location"):
            self.add_error("location", _("请选择功能室或填写活动地点。"))
        return cleaned

    def service_data(self):
        """The cleaned values the service applies."""
        data = {
            k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields and k != "cover"
        }
        data["starts_at"] = self.cleaned_data["starts_at"]
        data["recurrence"] = self.cleaned_data["recurrence"]
        if self.cleaned_data.get("cover") is not None:
            data["cover"] = self.cleaned_data["cover"]
        return data


class OccurrenceCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("取消原因"), max_length=200, help_text=_("会通知所有已报名的居民。")
    )


class OccurrenceMoveForm(forms.Form):
    start_date = forms.DateField(label=_("新日期"), widget=DateInput(), validators=[within_years])
    start_time = forms.TimeField(label=_("新开始时间"), widget=TimeInput())
    room = forms.ModelChoiceField(label=_("功能室"), queryset=Room.objects.none(), required=False)

    def __init__(self, *args, center, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(center=center)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start_date") and cleaned.get("start_time"):
            cleaned["starts_at"] = timezone.make_aware(
                datetime.combine(cleaned["start_date"], cleaned["start_time"])
            )
        return cleaned


class OccurrenceRecordForm(forms.Form):
    summary = forms.CharField(
        label=_("活动纪实"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    head_count = forms.IntegerField(label=_("实际参加人数"), min_value=0, max_value=100000)
    photo1 = ImageUploadField(
        label=_("照片 1"), required=False, help_text=_("照片会去除拍摄位置等信息后公开展示。")
    )
    photo2 = ImageUploadField(label=_("照片 2"), required=False)
    photo3 = ImageUploadField(label=_("照片 3"), required=False)


class CalendarFilterForm(forms.Form):
    VIEWS = [("list", _("列表")), ("week", _("周")), ("month", _("月"))]

    view = forms.ChoiceField(choices=VIEWS, required=False)
    center = forms.SlugField(label=_("服务中心"), required=False, max_length=80)
    category = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部类别")), *Activity.Category.choices], required=False
    )
    audience = forms.ChoiceField(
        label=_("面向人群"),
        choices=[("", _("全部人群")), *Activity.Audience.choices],
        required=False,
    )
    date = forms.DateField(
        label=_("日期"), required=False, widget=DateInput(), validators=[within_years]
    )
