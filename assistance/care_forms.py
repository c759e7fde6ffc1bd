"""Forms of the staff care pages: beneficiaries, pairings, visits, help programs."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistance.models import Beneficiary, BeneficiaryType, Frequency, Pairing, Visit
from assistance.services import BENEFICIARY_FIELDS
from centers.models import phone_validator
from centers.widgets import LongSelect

ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CODES = "10X98765432"

#: The visit frequency a new pairing starts with, by the beneficiary's tier.
TIER_FREQUENCY = {
    Beneficiary.Tier.HIGH: Frequency.WEEKLY,
    Beneficiary.Tier.MEDIUM: Frequency.MONTHLY,
    Beneficiary.Tier.LOW: Frequency.QUARTERLY,
}


def date_input():
    # A date input only accepts ISO values; the zh-hans format (2026/11/28) would show empty.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


PRIVATE_INPUT = {"autocomplete": "off", "spellcheck": "false"}


def id_number_is_valid(number: str) -> bool:
    """True for an 18-character resident ID number whose check character matches (GB 11643)."""
    if not ID_NUMBER_RE.match(number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK_CODES[total % 11] == number[17]


def _not_future(value, message):
    if value and value > timezone.localdate():
        raise forms.ValidationError(message)
    return value


class BeneficiaryForm(forms.ModelForm):
    """Register or update a beneficiary with their types; the service saves and audits."""

    types = forms.MultipleChoiceField(
        label=_("帮扶类型"),
        choices=BeneficiaryType.Type.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("可多选。"),
        error_messages={"required": _("请至少选择一种类型。")},
    )

    class Meta:
        model = Beneficiary
        fields = BENEFICIARY_FIELDS
        widgets = {
            "gender": forms.RadioSelect,
            "birth_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "phone": forms.TextInput(
                attrs={"type": "tel", "inputmode": "numeric", "maxlength": 11, **PRIVATE_INPUT}
            ),
            "guardian_phone": forms.TextInput(
                attrs={"type": "tel", "inputmode": "numeric", "maxlength": 11, **PRIVATE_INPUT}
            ),
            "id_number": forms.TextInput(attrs={"maxlength": 18, **PRIVATE_INPUT}),
            "needs": forms.Textarea(attrs={"rows": 3}),
            "health_notes": forms.Textarea(attrs={"rows": 3}),
            "consent_on": date_input(),
            "consent_withdrawn_on": date_input(),
        }
        help_texts = {
            "phone": _("本人或家人常用的手机号码。加密保存，列表中只显示前三位和后四位。"),
            "id_number": _("仅在办理救助等确有需要时填写。加密保存。"),
            "health_notes": _("只写帮扶需要知道的情况。"),
            "consent_purpose": _("本人（或监护人）同意社区收集和使用这些信息的用途。"),
            "consent_on": _("本人（或监护人）签字同意的日期。"),
            "consent_withdrawn_on": _(
                "本人撤回同意时填写：此后不再导出其信息，请尽快结束帮扶或重新取得同意。"
            ),
        }

    field_order = ["name", "gender", "birth_year", "types"]

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.communities = {c.slug: c for c in communities}
        if self.instance.pk and len(self.communities) > 1:
            # A resident who moves is transferred to another community in the worker's scope.
            self.fields["center"] = forms.ChoiceField(
                label=_("所属社区"),
                choices=[(c.slug, c.short_name) for c in communities],
                initial=self.instance.center.slug,
                help_text=_("居民搬家时可转到您负责的其他社区。"),
            )
            self.order_fields(["center", *self.field_order])
        self.fields["gender"].choices = Beneficiary.Gender.choices
        today = timezone.localdate()
        for name in ("consent_on", "consent_withdrawn_on"):
            self.fields[name].widget.attrs["max"] = today.isoformat()
        if not self.instance.pk:
            self.initial.setdefault("consent_on", today)
        # An empty phone cannot be stored (the encrypted column is NOT NULL): ask for one.
        self.fields["phone"].required = True
        self.fields["consent_purpose"].required = True
        self.fields["consent_on"].required = True
        if self.instance.pk:
            self.initial.setdefault(
                "types", list(self.instance.types.values_list("type", flat=True))
            )

    def clean_birth_year(self):
        year = self.cleaned_data["birth_year"]
        if year and year > timezone.localdate().year:
            raise forms.ValidationError(_("出生年份不能晚于今年。"))
        return year

    def clean_id_number(self):
        number = (self.cleaned_data.get("id_number") or "").strip().upper()
        if not number:
            return None
        if not id_number_is_valid(number):
            raise forms.ValidationError(_("请输入18位居民身份证号码，并核对最后一位。"))
        return number

    def clean_consent_on(self):
        return _not_future(self.cleaned_data.get("consent_on"), _("同意日期不能晚于今天。"))

    def clean_consent_withdrawn_on(self):
        return _not_future(
            self.cleaned_data.get("consent_withdrawn_on"), _("撤回日期不能晚于今天。")
        )

    def clean(self):
        cleaned = super().clean()
        number, year = cleaned.get("id_number"), cleaned.get("birth_year")
        if number and year and int(number[6:10]) != year:
            self.add_error("id_number", _("身份证号中的出生年份与填写的出生年份不一致。"))
        given, withdrawn = cleaned.get("consent_on"), cleaned.get("consent_withdrawn_on")
        if given and withdrawn and withdrawn < given:
            self.add_error("consent_withdrawn_on", _("撤回日期不能早于同意日期。"))
        if cleaned.get("guardian_phone") and not cleaned.get("guardian_name"):
            self.add_error("guardian_name", _("填写了紧急联系人电话，请同时填写姓名。"))
        return cleaned

    def chosen_center(self):
        """The community picked on the edit form, or None to keep the current one."""
        return self.communities.get(self.cleaned_data.get("center") or "")

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in BENEFICIARY_FIELDS}
        data["guardian_phone"] = data["guardian_phone"] or None
        return data


class BeneficiaryFilterForm(forms.Form):
    """The list's filters; every value is optional and an unknown one is simply ignored."""

    center = forms.ChoiceField(label=_("社区"), required=False, widget=LongSelect)
    type = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部")), *BeneficiaryType.Type.choices]
    )
    tier = forms.ChoiceField(
        label=_("关注等级"), required=False, choices=[("", _("全部")), *Beneficiary.Tier.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *Beneficiary.Status.choices]
    )
    q = forms.CharField(
        label=_("按姓名查找"),
        required=False,
        max_length=40,
        help_text=_("电话和身份证号加密保存，不能用来查找。"),
    )

    def __init__(self, *args, centers, **kwargs):
        super().__init__(*args, **kwargs)
        self.centers = {c.slug: c for c in centers}
        self.fields["center"].choices = [("", _("全部"))] + [
            (c.slug, "　" * max(c.depth - 2, 0) + c.short_name) for c in centers
        ]

    def filters(self) -> dict:
        """The selector's keyword arguments for the valid part of the input."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "center": self.centers.get(data.get("center") or ""),
            "type": data.get("type") or "",
            "tier": data.get("tier") or "",
            "status": data.get("status") or "",
            "q": (data.get("q") or "").strip(),
        }


class HelperUserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name or _('（未填姓名）')} {obj.masked_phone}"


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.center.short_name}）"


class PairingForm(forms.Form):
    """Pair a party member (chosen, or found by phone number) or a partner unit."""

    helper_user = HelperUserChoiceField(
        label=_("帮扶党员"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("（不选）"),
        help_text=_("本中心及上级中心的工作人员。"),
    )
    helper_phone = forms.CharField(
        label=_("或输入党员的手机号码"),
        required=False,
        max_length=11,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", **PRIVATE_INPUT}),
        help_text=_("对方需已在本平台注册。"),
    )
    helper_team = TeamChoiceField(
        label=_("共建单位"),
        queryset=None,
        required=False,
        empty_label=_("（不选）"),
        help_text=_("本中心及上级中心的共建单位。"),
    )
    started_on = forms.DateField(label=_("开始日期"), widget=date_input())
    frequency = forms.ChoiceField(label=_("探访频次"), choices=Frequency.choices)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, beneficiary, users, teams, **kwargs):
        kwargs.setdefault(
            "initial",
            {"started_on": timezone.localdate(), "frequency": TIER_FREQUENCY[beneficiary.tier]},
        )
        super().__init__(*args, **kwargs)
        self.beneficiary = beneficiary
        self.fields["helper_user"].queryset = users
        self.fields["helper_team"].queryset = teams

    def clean(self):
        cleaned = super().clean()
        user, phone, team = (
            cleaned.get("helper_user"),
            cleaned.get("helper_phone"),
            cleaned.get("helper_team"),
        )
        if phone:
            found = get_user_model().objects.filter(phone=phone, is_active=True).first()
            if found is None:
                self.add_error("helper_phone", _("没有找到使用这个手机号码的用户。"))
                return cleaned
            if user is not None and user.pk != found.pk:
                self.add_error("helper_phone", _("选择的党员和输入的手机号码不是同一个人。"))
                return cleaned
            user = cleaned["helper_user"] = found
        if (user is None) == (team is None):
            if not self.errors:
                self.add_error(None, _("请选择一位帮扶党员或一个共建单位（只选一个）。"))
            return cleaned
        if self.already_paired():
            self.add_error(None, duplicate_pairing_message())
        return cleaned

    def already_paired(self) -> bool:
        """True when the chosen helper already has an open pairing with this beneficiary."""
        user, team = self.cleaned_data.get("helper_user"), self.cleaned_data.get("helper_team")
        open_ = Pairing.objects.filter(beneficiary=self.beneficiary, ended_on__isnull=True)
        if user is not None:
            return open_.filter(helper_user=user).exists()
        return team is not None and open_.filter(helper_team=team).exists()

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "helper_user": data.get("helper_user"),
            "helper_team": data.get("helper_team"),
            "started_on": data["started_on"],
            "frequency": data["frequency"],
            "note": data.get("note", ""),
        }


def duplicate_pairing_message():
    return _("这位帮扶人和该对象已有一个尚未结束的结对，不能重复结对。")


class PairingEndForm(forms.Form):
    ended_on = forms.DateField(label=_("结束日期"), widget=date_input())

    def __init__(self, *args, pairing, **kwargs):
        super().__init__(*args, **kwargs)
        self.pairing = pairing

    def clean_ended_on(self):
        day = _not_future(self.cleaned_data["ended_on"], _("结束日期不能晚于今天。"))
        if day < self.pairing.started_on:
            raise forms.ValidationError(
                _("结束日期不能早于开始日期（%(d)s）。") % {"d": self.pairing.started_on}
            )
        return day


class PairingVisitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.ended_on:
            return _("%(helper)s（已于 %(day)s 结束）") % {
                "helper": obj.helper,
                "day": obj.ended_on,
            }
        return f"{obj.helper}（{obj.get_frequency_display()}）"


class ProgramChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.center.short_name} {obj.starts_on:%Y-%m-%d}—{obj.ends_on:%m-%d}）"


class VisitForm(forms.Form):
    """Log a visit; the helper defaults to the chosen pairing's helper."""

    visited_on = forms.DateField(label=_("走访日期"), widget=date_input())
    kind = forms.ChoiceField(label=_("方式"), choices=Visit.Kind.choices)
    pairing = PairingVisitChoiceField(
        label=_("结对"),
        queryset=Pairing.objects.none(),
        required=False,
        empty_label=_("（不属于结对走访）"),
        help_text=_("由结对帮扶人走访时请选择，否则该结对会显示为逾期未访。"),
    )
    helper_name = forms.CharField(
        label=_("走访人"),
        required=False,
        max_length=60,
        help_text=_("不填则为所选结对的帮扶人。"),
    )
    program = ProgramChoiceField(
        label=_("所属帮扶活动"),
        queryset=None,
        required=False,
        empty_label=_("（无）"),
    )
    findings = forms.CharField(
        label=_("了解情况"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    items_given = forms.CharField(label=_("送去物品"), required=False, max_length=200)
    follow_up = forms.CharField(
        label=_("后续跟进"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, pairings, programs, default_helper="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pairing"].queryset = pairings
        self.fields["program"].queryset = programs
        self.fields["visited_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.initial.setdefault("visited_on", timezone.localdate())
        self.initial.setdefault("helper_name", default_helper)

    def clean_visited_on(self):
        return _not_future(self.cleaned_data["visited_on"], _("走访日期不能晚于今天。"))

    def clean(self):
        cleaned = super().clean()
        day, pairing, program = (
            cleaned.get("visited_on"),
            cleaned.get("pairing"),
            cleaned.get("program"),
        )
        if not cleaned.get("helper_name", "").strip():
            if pairing is not None:
                cleaned["helper_name"] = str(pairing.helper)[:60]
            else:
                self.add_error("helper_name", _("请填写走访人，或选择结对。"))
        if (
            day
            and pairing is not None
            and (day < pairing.started_on or (pairing.ended_on and day > pairing.ended_on))
        ):
            self.add_error("visited_on", _("走访日期不在这个结对的起止日期之内。"))
        if day and program is not None and not program.starts_on <= day <= program.ends_on:
            self.add_error(
                "program",
                _("走访日期不在“%(name)s”的活动时间（%(start)s 至 %(end)s）之内。")
                % {"name": program.name, "start": program.starts_on, "end": program.ends_on},
            )
        return cleaned

    def service_data(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in (
                "visited_on",
                "kind",
                "pairing",
                "program",
                "helper_name",
                "findings",
                "items_given",
                "follow_up",
            )
        }


class ProgramForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100, help_text=_("如“2026年春节走访慰问”。"))
    starts_on = forms.DateField(label=_("开始日期"), widget=date_input())
    ends_on = forms.DateField(label=_("结束日期"), widget=date_input())
    description = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        return cleaned
