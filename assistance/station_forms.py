"""Forms of the love aid station: the public offer and ask forms, and the staff's stock forms.

Item, station and beneficiary choices are built from lists the view loaded once, so that a
page with several line rows renders its selects without a query per row.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import BaseFormSet, formset_factory
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assistance.models import MAX_QUANTITY, AidStation, DonationLine, GoodsOffer, Item
from centers.models import phone_validator

#: The honeypot's field name: a word that form-filling scripts cannot resist.
HONEYPOT = "website"
#: Blank line rows offered by default, and the most a page may ask for with `?rows=`.
LINE_ROWS = 5
MAX_LINE_ROWS = 30


def _quantity_error(signed):
    if signed:
        return gettext("调整数量应在 -%(max)s 到 %(max)s 之间。") % {"max": MAX_QUANTITY}
    return gettext("数量应为 1 到 %(max)s 之间的整数。") % {"max": MAX_QUANTITY}


quantity_error = lazy(_quantity_error, str)


def digits_of_phone(text):
    """A typed phone number as digits only, without a leading +86 / 86."""
    digits = "".join(ch for ch in (text or "") if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


class TelInput(forms.TextInput):
    input_type = "tel"


class PhoneField(forms.CharField):
    """A mainland mobile number, accepted with spaces, dashes or +86 and kept as 11 digits."""

    default_validators = [phone_validator]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", TelInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        return digits_of_phone(super().to_python(value))


class QuantityField(forms.IntegerField):
    def __init__(self, *, signed=False, **kwargs):
        lowest = -MAX_QUANTITY if signed else 1
        messages = {
            "invalid": _("请填写整数。"),
            "min_value": quantity_error(signed),
            "max_value": quantity_error(signed),
        }
        kwargs.setdefault("label", _("数量"))
        super().__init__(
            min_value=lowest, max_value=MAX_QUANTITY, error_messages=messages, **kwargs
        )
        if not signed:
            # A phone's numeric keypad has no minus sign: only unsigned quantities get it.
            self.widget.attrs.update({"inputmode": "numeric"})


class ObjectChoiceField(forms.TypedChoiceField):
    """A select over objects already in memory; cleans to the object, never queries."""

    def __init__(self, *, objects, label_of, group_of=None, blank_label=None, **kwargs):
        self.objects = {obj.pk: obj for obj in objects}
        if group_of is None:
            choices = [(obj.pk, label_of(obj)) for obj in objects]
        else:
            groups = {}
            for obj in objects:
                groups.setdefault(group_of(obj), []).append((obj.pk, label_of(obj)))
            choices = list(groups.items())
        blank = [("", blank_label or _("—— 请选择 ——"))]
        super().__init__(choices=blank + choices, coerce=self._object, empty_value=None, **kwargs)

    def _object(self, value):
        return self.objects[int(value)]


def _item_label(levels):
    def label(item):
        if levels is None:
            return str(item)
        return _("%(item)s · 库存 %(n)s") % {"item": item, "n": levels.get(item.pk, 0)}

    return label


def item_field(items, *, levels=None, required=True, label=None):
    """A select of catalogue items grouped by category, optionally with the level on hand."""
    return ObjectChoiceField(
        objects=items,
        label_of=_item_label(levels),
        group_of=lambda item: item.get_category_display(),
        required=required,
        label=label or _("物品"),
    )


# -- Public forms -------------------------------------------------------------------------------


class HoneypotForm(forms.Form):
    website = forms.CharField(
        label=_("请勿填写此项"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class GoodsOfferForm(HoneypotForm):
    """A resident offers goods (saved through `services.goods_offer_submit`)."""

    name = forms.CharField(label=_("怎么称呼您"), max_length=40, help_text=_("如：王女士"))
    phone = PhoneField(label=_("手机号码"), help_text=_("工作人员会打这个电话和您约定送物时间。"))
    items = forms.CharField(
        label=_("想捐赠哪些物品"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("写上物品、数量和新旧程度，如：儿童冬衣 5 件，八成新，已清洗。"),
    )

    field_order = ["name", "phone", "items"]

    def service_data(self):
        return {name: self.cleaned_data[name] for name in ("name", "phone", "items")}


class AidAskForm(HoneypotForm):
    """A resident asks for help (saved through `services.aid_request_submit`)."""

    requester_name = forms.CharField(label=_("您的姓名"), max_length=40)
    requester_phone = PhoneField(
        label=_("手机号码"), help_text=_("工作人员审核后会打这个电话联系您。")
    )
    reason = forms.CharField(
        label=_("遇到了什么困难"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("简单说说家里的情况，便于工作人员了解和安排。"),
    )
    items_wanted = forms.CharField(
        label=_("需要哪些物品"),
        max_length=300,
        required=False,
        help_text=_("如：冬被 1 床、米面油；不确定可以不填。"),
    )

    field_order = ["requester_name", "requester_phone", "reason", "items_wanted"]

    def service_data(self):
        names = ("requester_name", "requester_phone", "reason", "items_wanted")
        return {name: self.cleaned_data[name] for name in names}


# -- Staff: the station and its wish list --------------------------------------------------------


class StationForm(forms.ModelForm):
    """The station's public page and its wish list (catalogue items needed now)."""

    wishes = forms.TypedMultipleChoiceField(
        label=_("现在急需的物资"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("勾选的物品会显示在援助站公开页面的“急需物资”中。"),
    )

    class Meta:
        model = AidStation
        fields = ["name", "intro", "how_to_donate", "opening_hours", "is_public"]
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 4}),
            "how_to_donate": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "how_to_donate": _("送物地点、物品要求（如衣物须洗净、食品须在保质期内）等。"),
            "opening_hours": _("如：周一至周五 9:00–17:00"),
            "is_public": _("公开后居民可以在网上看到援助站并提交捐赠意向和求助。"),
        }

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {item.pk: item for item in items}
        self.fields["wishes"].choices = [(item.pk, str(item)) for item in items]

    def wish_groups(self):
        """The wish list's checkboxes as [(category label, [checkbox])], in catalogue order."""
        groups = {}
        for checkbox in self["wishes"]:
            item = self.items[int(checkbox.data["value"])]
            groups.setdefault(item.get_category_display(), []).append(checkbox)
        return list(groups.items())

    def station_data(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def wished_items(self):
        return [self.items[pk] for pk in self.cleaned_data["wishes"]]


# -- Staff: line rows (donations, requests, distributions) ----------------------------------------


class LineFormSet(BaseFormSet):
    """Rows of item + quantity where a row left wholly blank is skipped.

    Every row is an "extra" row (none is required), so prefilled rows can be cleared too; a
    row with anything filled in is validated in full, so a half-filled row is an error.
    """

    def initial_form_count(self):
        return 0

    def total_form_count(self):
        if self.is_bound:
            return super().total_form_count()
        return min(len(self.initial or []) + self.extra, MAX_LINE_ROWS)

    def filled_forms(self):
        return [
            form
            for form in self.forms
            if form.has_changed() and getattr(form, "cleaned_data", None)
        ]

    def clean(self):
        if any(self.errors):
            return
        if not self.filled_forms():
            raise ValidationError(_("请至少填写一种物品。"), code="no_lines")


def _line_formset(form_class):
    return formset_factory(
        form_class,
        formset=LineFormSet,
        extra=LINE_ROWS,
        max_num=MAX_LINE_ROWS,
        validate_max=True,
        absolute_max=MAX_LINE_ROWS * 2,
    )


def line_formset(formset_class, data=None, *, items, levels=None, initial=None, rows=None):
    """A bound or blank formset of line rows; `rows` asks for more blank rows (no JS needed)."""
    formset = formset_class(
        data,
        initial=None if data is not None else initial,
        prefix="lines",
        form_kwargs={"items": items, "levels": levels},
    )
    if data is None and rows:
        formset.extra = max(LINE_ROWS, min(rows, MAX_LINE_ROWS) - len(initial or []))
    return formset


class ItemLineForm(forms.Form):
    def __init__(self, *args, items, levels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"item": item_field(items, levels=levels), **self.fields}

    quantity = QuantityField()

    def has_changed(self):
        # A row counts as filled in when it names an item or a quantity; the other inputs
        # (condition, disinfected) have defaults and do not make a blank row half-filled.
        return any(self[name].data not in (None, "") for name in ("item", "quantity"))

    def line(self):
        return (self.cleaned_data["item"], self.cleaned_data["quantity"])


class DonationLineForm(ItemLineForm):
    condition = forms.ChoiceField(
        label=_("成色"), choices=DonationLine.Condition.choices, initial=DonationLine.Condition.GOOD
    )
    disinfected = forms.BooleanField(label=_("已消毒"), required=False)

    def line(self):
        data = self.cleaned_data
        return (data["item"], data["quantity"], data["condition"], data["disinfected"])


DonationLineFormSet = _line_formset(DonationLineForm)
ItemLineFormSet = _line_formset(ItemLineForm)


def _not_in_future(day):
    if day and day > timezone.localdate():
        raise ValidationError(_("日期不能晚于今天。"))
    return day


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value


class DonationForm(forms.Form):
    donor_name = forms.CharField(
        label=_("捐赠人"), max_length=60, required=False, help_text=_("个人或单位名称。")
    )
    is_anonymous = forms.BooleanField(label=_("匿名捐赠（不记录捐赠人姓名）"), required=False)
    received_on = forms.DateField(label=_("接收日期"), widget=DateInput())
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def clean_received_on(self):
        return _not_in_future(self.cleaned_data["received_on"])

    def service_data(self):
        return dict(self.cleaned_data)


class StockAdjustForm(forms.Form):
    quantity = QuantityField(
        signed=True,
        label=_("调整数量"),
        help_text=_("盘点多出填正数，如 3；短少、损坏填负数，如 -2。"),
    )
    reason = forms.CharField(
        label=_("原因"), max_length=200, help_text=_("如：月底盘点，2 件破损报废。")
    )

    def __init__(self, *args, items, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"item": item_field(items, levels=levels), **self.fields}

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity == 0:
            raise ValidationError(_("调整数量不能为 0。"))
        return quantity


class StockTransferForm(forms.Form):
    quantity = QuantityField()
    reason = forms.CharField(
        label=_("原因"),
        max_length=200,
        initial=_("站点间调剂"),
        help_text=_("如：支援冬季御寒物资。"),
    )

    def __init__(self, *args, targets, items, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "target": ObjectChoiceField(
                objects=targets,
                label_of=lambda s: f"{s.name}（{s.center.short_name}）",
                label=_("调往"),
            ),
            "item": item_field(items, levels=levels),
            **self.fields,
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("未批准的原因"),
        max_length=200,
        help_text=_("会告知申请人，请写得具体、客气。"),
    )


def beneficiary_label(beneficiary):
    return _("%(name)s · %(year)s 年生 · %(center)s") % {
        "name": beneficiary.masked_name,
        "year": beneficiary.birth_year,
        "center": beneficiary.center.short_name,
    }


class RequestFileForm(forms.Form):
    reason = forms.CharField(
        label=_("申请理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, beneficiaries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "beneficiary": ObjectChoiceField(
                objects=beneficiaries, label_of=beneficiary_label, label=_("帮扶对象")
            ),
            **self.fields,
        }


class DistributionForm(forms.Form):
    recipient_name = forms.CharField(
        label=_("领取人"),
        max_length=40,
        required=False,
        help_text=_("在回执上签字的人；为帮扶对象发放且本人领取时可不填。"),
    )
    distributed_on = forms.DateField(label=_("发放日期"), widget=DateInput())
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, beneficiaries=None, **kwargs):
        super().__init__(*args, **kwargs)
        if beneficiaries is not None:
            self.fields = {
                "beneficiary": ObjectChoiceField(
                    objects=beneficiaries,
                    label_of=beneficiary_label,
                    label=_("帮扶对象"),
                    required=False,
                    blank_label=_("—— 不是帮扶对象 ——"),
                ),
                **self.fields,
            }

    def clean_distributed_on(self):
        return _not_in_future(self.cleaned_data["distributed_on"])

    def clean(self):
        data = super().clean()
        needs_name = "beneficiary" in self.fields and not data.get("beneficiary")
        if needs_name and not (data.get("recipient_name") or "").strip():
            self.add_error("recipient_name", _("请选择帮扶对象，或填写领取人。"))
        return data


class ItemForm(forms.ModelForm):
    class Meta:
        model = Item
        fields = ["category", "name", "unit"]


class OfferStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=GoodsOffer.Status.choices)
