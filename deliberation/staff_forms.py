"""Forms of the staff side: one per step on an issue, and the meeting forms.

The forms only parse input; the rules (allowed moves, dates, scope) live in the services, whose
ValidationErrors the views put back on these forms.
"""

import re
from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centers.forms import DateInput, TimeInput, within_years
from centers.widgets import LongSelect
from deliberation.models import AgendaItem, Issue, MeetingParticipant, normalize_code
from deliberation.staff_selectors import ALL, OPEN

#: The due date offered when accepting: 15 days is the usual 接诉即办 term for a simple case.
DEFAULT_TERM_DAYS = 15
NOTE_MAX = 2000


def _textarea(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class InboxFilterForm(forms.Form):
    """The inbox filters, read from the query string; a value that does not parse is ignored."""

    q = forms.CharField(label=_("标题或查询码"), required=False, max_length=50)
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        initial=OPEN,
        choices=[(ALL, _("全部")), (OPEN, _("未结束（全部待办）")), *Issue.Status.choices],
    )
    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部")), *Issue.Category.choices]
    )
    center = forms.ChoiceField(
        label=_("中心（含下属）"),
        required=False,
        widget=LongSelect,
        help_text=_("先选街道并点“筛选”，再从它下属的社区中选择，即可缩小范围。"),
    )
    overdue = forms.BooleanField(label=_("只看超期"), required=False)
    mine = forms.BooleanField(label=_("只看指派给我的"), required=False)

    def __init__(self, *args, centers, **kwargs):
        """`centers`: the options, from `staff_selectors.inbox_centers`; any other is invalid."""
        super().__init__(*args, **kwargs)
        self.centers = {c.slug: c for c in centers}
        top = min((c.depth for c in centers), default=1)
        # A full-width space indents: browsers keep it in an <option>, unlike ASCII spaces.
        self.fields["center"].choices = [("", _("全部中心"))] + [
            (c.slug, "\u3000" * (c.depth - top) + c.short_name) for c in centers
        ]

    def filters(self) -> dict:
        """The valid filters as keyword arguments for `staff_selectors.inbox`."""
        data = self.cleaned_data
        return {
            "q": data.get("q", ""),
            # The inbox opens on the open issues; "all" (or an empty value) lists every state.
            "status": data.get("status") or (OPEN if "status" not in self.data else ALL),
            "category": data.get("category", ""),
            "center": self.centers.get(data.get("center", "")),
            "overdue": data.get("overdue", False),
            "mine": data.get("mine", False),
        }


class StepForm(forms.Form):
    """A step on an issue: the status the page showed, plus a public and an internal note."""

    expected_status = forms.ChoiceField(choices=Issue.Status.choices, widget=forms.HiddenInput)
    public_note = forms.CharField(
        label=_("公开说明"),
        required=False,
        max_length=NOTE_MAX,
        widget=_textarea(),
        help_text=_("居民在查询页能看到，也会通知反映人。"),
    )
    internal_note = forms.CharField(
        label=_("内部备注"),
        required=False,
        max_length=NOTE_MAX,
        widget=_textarea(2),
        help_text=_("只有工作人员能看到。"),
    )

    def __init__(self, *args, issue: Issue, user=None, **kwargs):
        kwargs.setdefault("initial", {})["expected_status"] = issue.status
        super().__init__(*args, **kwargs)
        self.issue = issue
        self.user = user

    def service_kwargs(self) -> dict:
        """Keyword arguments for `issue_transition` beyond actor, issue and target."""
        return {
            "public_note": self.cleaned_data["public_note"],
            "internal_note": self.cleaned_data["internal_note"],
        }


class AcceptForm(StepForm):
    due_date = forms.DateField(
        label=_("办结期限"),
        widget=DateInput(),
        help_text=_("默认受理后 15 天内办结。"),
    )
    field_order = ["due_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["due_date"].initial = today + timedelta(days=DEFAULT_TERM_DAYS)
        self.fields["due_date"].widget.attrs["min"] = today.isoformat()

    def service_kwargs(self):
        return {**super().service_kwargs(), "due_date": self.cleaned_data["due_date"]}


class RejectForm(StepForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        note = self.fields["public_note"]
        note.required = True
        note.label = _("不予受理的理由")
        note.help_text = _("居民能看到；请说明原因和可以去哪里反映。")


class MergeForm(StepForm):
    """Merge into another issue, named by its tracking code or picked from a short list."""

    code = forms.CharField(
        label=_("目标议题的查询码"),
        required=False,
        max_length=20,
        help_text=_("例如 ACDE-FGHJ-KMNP。"),
    )
    target = forms.TypedChoiceField(
        label=_("或从本中心未结束的议题中选择"), required=False, coerce=int, empty_value=None
    )
    field_order = ["code", "target"]

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {t.pk: t for t in choices}
        self.fields["target"].choices = [("", _("（请选择）"))] + [
            (t.pk, f"{t.display_code} · {t.title}") for t in choices
        ]
        self.fields["public_note"].help_text = _("居民能看到，例如：与同一位置的议题一并办理。")

    def clean(self):
        cleaned = super().clean()
        code, target = cleaned.get("code"), cleaned.get("target")
        if code:
            found = (
                Issue.objects.for_user(self.user).filter(tracking_code=normalize_code(code)).first()
            )
            if found is None:
                self.add_error("code", _("没有找到这个查询码对应的议题。"))
            cleaned["merged_into"] = found
        elif target is not None:
            cleaned["merged_into"] = self.targets.get(target)
        elif not self.errors:
            self.add_error("code", _("请填写查询码或选择一个议题。"))
        merged_into = cleaned.get("merged_into")
        if merged_into is not None and merged_into.pk == self.issue.pk:
            self.add_error("code", _("不能合并到议题本身。"))
        return cleaned

    def service_kwargs(self):
        return {**super().service_kwargs(), "merged_into": self.cleaned_data["merged_into"]}


class DecideForm(StepForm):
    """Deliberating → in progress with the decision; also "handle directly" and "rework"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.issue.status == Issue.Status.DELIBERATING:
            note = self.fields["public_note"]
            note.required = True
            note.label = _("协商结果")
            note.help_text = _("居民能看到：协商达成的办理方案。")


class ResolveForm(StepForm):
    resolution = forms.CharField(
        label=_("办理结果"),
        max_length=3000,
        widget=_textarea(4),
        help_text=_("居民能看到，办结后在中心页面公示（不含个人信息）。"),
    )
    field_order = ["resolution"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["public_note"].help_text = _("可不填：居民查询页会显示办理结果。")

    def service_kwargs(self):
        return {**super().service_kwargs(), "resolution": self.cleaned_data["resolution"]}


class AssignForm(StepForm):
    assignee = forms.ModelChoiceField(
        label=_("承办人"), queryset=None, required=False, empty_label=_("（不指派）")
    )
    field_order = ["assignee"]

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["public_note"]
        self.fields["assignee"].queryset = colleagues
        self.fields["assignee"].initial = self.issue.assigned_to_id

    def service_kwargs(self):
        return {
            "assignee": self.cleaned_data["assignee"],
            "internal_note": self.cleaned_data["internal_note"],
        }


class ProgressForm(StepForm):
    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("public_note", "").strip() or cleaned.get("internal_note", "").strip()):
            self.add_error("public_note", _("请填写进展说明。"))
        return cleaned


# -- Meetings ---------------------------------------------------------------------------------


class MeetingForm(forms.Form):
    title = forms.CharField(
        label=_("会议名称"), max_length=100, help_text=_("例如：2026年第二季度居民议事会。")
    )
    held_date = forms.DateField(label=_("日期"), widget=DateInput(), validators=[within_years])
    held_time = forms.TimeField(label=_("开始时间"), widget=TimeInput())
    place = forms.CharField(label=_("地点"), max_length=100)

    def __init__(self, *args, meeting=None, **kwargs):
        if meeting is not None:
            local = timezone.localtime(meeting.held_at)
            kwargs.setdefault("initial", {}).update(
                title=meeting.title,
                held_date=local.date(),
                held_time=local.time().replace(second=0, microsecond=0),
                place=meeting.place,
            )
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "place": data["place"],
            "held_at": timezone.make_aware(datetime.combine(data["held_date"], data["held_time"])),
        }


NAME_SEPARATORS = re.compile(r"[、,，;；\s]+")


class ParticipantForm(forms.Form):
    """One participant role: names (optional) and how many came; prefixed by the role."""

    names = forms.CharField(
        label=_("姓名"), required=False, max_length=300, help_text=_("用顿号分隔，可不填。")
    )
    count = forms.IntegerField(label=_("人数"), required=False, min_value=0, max_value=9999)

    def __init__(self, *args, role, label, **kwargs):
        super().__init__(*args, prefix=role, **kwargs)
        self.role = role
        self.label = label

    def clean(self):
        cleaned = super().clean()
        names = [n for n in NAME_SEPARATORS.split(cleaned.get("names") or "") if n]
        count = cleaned.get("count")
        if count is None and "count" not in self.errors:
            cleaned["count"] = len(names)
        elif count is not None and count < len(names):
            self.add_error("count", _("人数少于填写的姓名数。"))
        return cleaned

    def as_row(self) -> tuple:
        return (self.role, self.cleaned_data["names"].strip(), self.cleaned_data["count"])


def participant_forms(data=None, *, meeting=None) -> list[ParticipantForm]:
    """A form per participant role, filled in from the meeting's rows when editing."""
    rows = {p.role: p for p in meeting.participants.all()} if meeting is not None else {}
    forms_ = []
    for role, label in MeetingParticipant.Role.choices:
        row = rows.get(role)
        initial = {"names": row.names, "count": row.count} if row else {}
        forms_.append(ParticipantForm(data, role=role, label=label, initial=initial))
    return forms_


class MeetingAgendaForm(forms.Form):
    issues = forms.TypedMultipleChoiceField(
        label=_("议题"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("本中心及下属中心未结束的议题。已有协商结果的议题会保留在议程中。"),
    )
    minutes = forms.CharField(
        label=_("会议纪要"),
        required=False,
        widget=_textarea(8),
        help_text=_("会后填写；公示前必须填写。公示内容居民能看到，请勿写入个人联系方式。"),
    )

    def __init__(self, *args, choices, meeting=None, **kwargs):
        if meeting is not None:
            kwargs.setdefault("initial", {}).update(
                minutes=meeting.minutes,
                issues=[item.issue_id for item in meeting.agenda.all()],
            )
        super().__init__(*args, **kwargs)
        self.by_pk = {issue.pk: issue for issue in choices}
        self.fields["issues"].choices = [
            (
                issue.pk,
                f"{issue.title}（{issue.center.short_name} · {issue.get_status_display()}）",
            )
            for issue in choices
        ]

    def chosen_issues(self) -> list[Issue]:
        return [self.by_pk[pk] for pk in self.cleaned_data["issues"]]


class DecisionForm(forms.Form):
    """The meeting's decision on one agenda item, and where it moves the issue."""

    decision = forms.CharField(label=_("协商结果"), max_length=3000, widget=_textarea(3))
    to_status = forms.ChoiceField(label=_("议题转为"), required=False)

    def __init__(self, *args, item: AgendaItem, next_statuses=(), **kwargs):
        kwargs.setdefault("initial", {})["decision"] = item.decision
        kwargs.setdefault("auto_id", f"id_item{item.pk}_%s")
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["to_status"].choices = [
            ("", _("保持“%(s)s”") % {"s": item.issue.get_status_display()})
        ] + [(value, Issue.Status(value).label) for value in next_statuses]
        if not next_statuses:
            del self.fields["to_status"]
