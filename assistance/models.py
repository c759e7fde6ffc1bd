"""Help for vulnerable residents (kept private) and the love aid station's stock ledger.

Beneficiaries' phone and ID numbers are encrypted at rest; lists show everything personal
masked; a full view or export is written to the access log (centers.AuditEntry).

The stock of a station is a ledger of `StockMovement` rows that are never edited or deleted
(a mistake is reversed by a new movement). `StockLevel` holds the running level per station
and item: services lock that row before moving stock, and a CHECK keeps it at zero or above.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from centers.models import Center, MonthlySummary, Team, phone_validator

MAX_QUANTITY = 10_000


def mask_phone(phone):
    return (
        f"{phone[:3]}****{phone[-4:]}"
        if phone and len(phone) >= 7
        else ("—" if not phone else "****")
    )


def mask_id_number(number):
    return (
        f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"
        if number and len(number) > 10
        else ("—" if not number else "****")
    )


def mask_name(name):
    return (name[0] + "*" * max(len(name) - 1, 1)) if name else "—"


class ScopedQuerySet(models.QuerySet):
    """Rows owned by a center through `scope_field`; `for_user` is the one scoping entry point."""

    scope_field = "center"

    def for_user(self, user, perm="view"):
        from centers import scoping

        return self.filter(scoping.center_field_q(user, perm, field=self.scope_field))

    def in_subtree(self, center):
        return self.filter(**{f"{self.scope_field}__path__startswith": center.path})


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")


#: How long a pairing may go without a visit before it is overdue.
FREQUENCY_DAYS = {Frequency.WEEKLY: 7, Frequency.MONTHLY: 31, Frequency.QUARTERLY: 92}


class BeneficiaryQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(status=Beneficiary.Status.ACTIVE)


class Beneficiary(models.Model):
    """A resident in hardship in a community's care (困难群众). Personal data: see module doc."""

    class Tier(models.TextChoices):
        HIGH = "high", _("重点（每周探访）")
        MEDIUM = "medium", _("一般（每月探访）")
        LOW = "low", _("关注（每季度探访）")

    class Gender(models.TextChoices):
        FEMALE = "f", _("女")
        MALE = "m", _("男")

    class Status(models.TextChoices):
        ACTIVE = "active", _("帮扶中")
        PAUSED = "paused", _("暂停")
        CLOSED = "closed", _("已结束")

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="beneficiaries", verbose_name=_("所属社区")
    )
    name = models.CharField(_("姓名"), max_length=40)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender)
    birth_year = models.PositiveSmallIntegerField(
        _("出生年份"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    # Encrypted fields store an empty value as NULL.
    phone = EncryptedCharField(
        _("联系电话"), max_length=11, null=True, blank=True, validators=[phone_validator]
    )
    id_number = EncryptedCharField(
        _("身份证号"),
        max_length=18,
        null=True,
        blank=True,
        help_text=_("仅在办理救助等确有需要时填写。"),
    )
    address = models.CharField(_("住址"), max_length=200)
    tier = models.CharField(_("关注等级"), max_length=10, choices=Tier, default=Tier.MEDIUM)
    needs = models.TextField(_("主要需求"), blank=True)
    health_notes = models.TextField(_("健康与残疾情况"), blank=True)
    guardian_name = models.CharField(_("监护人/紧急联系人"), max_length=40, blank=True)
    guardian_phone = EncryptedCharField(
        _("紧急联系人电话"), max_length=11, null=True, blank=True, validators=[phone_validator]
    )
    consent_purpose = models.CharField(
        _("同意用途"), max_length=200, default=_("用于社区结对帮扶、走访慰问和物资救助")
    )
    consent_on = models.DateField(_("同意日期"))
    consent_withdrawn_on = models.DateField(_("撤回同意日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BeneficiaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶对象")
        verbose_name_plural = _("帮扶对象")
        ordering = ["center", "pk"]

    def __str__(self):
        return self.masked_name

    def get_absolute_url(self):
        return reverse("assistance_manage:beneficiary", args=[self.pk])

    @property
    def masked_name(self):
        return mask_name(self.name)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number)

    @property
    def visit_days(self):
        return {self.Tier.HIGH: 7, self.Tier.MEDIUM: 31, self.Tier.LOW: 92}[self.tier]


class BeneficiaryType(models.Model):
    """One of a beneficiary's circumstances (a beneficiary may have several)."""

    class Type(models.TextChoices):
        DISABLED = "disabled", _("残疾人")
        ELDERLY_ALONE = "elderly_alone", _("独居老人")
        EMPTY_NEST = "empty_nest", _("空巢老人")
        LEFT_BEHIND = "left_behind", _("留守人员")
        DEPENDENT = "dependent", _("失能半失能")
        LOW_INCOME = "low_income", _("低保特困")
        HARDSHIP_FAMILY = "hardship_family", _("特殊困难家庭")
        OTHER = "other", _("其他")

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="types")
    type = models.CharField(_("类型"), max_length=20, choices=Type)

    class Meta:
        verbose_name = _("帮扶对象类型")
        verbose_name_plural = _("帮扶对象类型")
        constraints = [
            models.UniqueConstraint(fields=["beneficiary", "type"], name="beneficiary_type_once"),
        ]

    def __str__(self):
        return self.get_type_display()


class StationScopedQuerySet(ScopedQuerySet):
    scope_field = "station__center"


class PairingQuerySet(ScopedQuerySet):
    scope_field = "beneficiary__center"

    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on), started_on__lte=on)


class Pairing(models.Model):
    """A helper (a party member or a partner unit) paired with a beneficiary (结对帮扶)."""

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.CASCADE, related_name="pairings", verbose_name=_("帮扶对象")
    )
    helper_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings",
        verbose_name=_("帮扶党员"),
    )
    helper_team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings",
        verbose_name=_("共建单位"),
    )
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    frequency = models.CharField(_("探访频次"), max_length=10, choices=Frequency)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(helper_user__isnull=False, helper_team__isnull=True)
                | Q(helper_user__isnull=True, helper_team__isnull=False),
                name="pairing_one_helper",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="pairing_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
            models.UniqueConstraint(
                fields=["beneficiary", "helper_user"],
                condition=Q(ended_on__isnull=True, helper_user__isnull=False),
                name="pairing_one_open_per_user",
                violation_error_message=_("这位党员已经与该帮扶对象结对。"),
            ),
            models.UniqueConstraint(
                fields=["beneficiary", "helper_team"],
                condition=Q(ended_on__isnull=True, helper_team__isnull=False),
                name="pairing_one_open_per_team",
                violation_error_message=_("这个共建单位已经与该帮扶对象结对。"),
            ),
        ]

    def __str__(self):
        return f"{self.helper} · {self.beneficiary}"

    @property
    def helper(self):
        return self.helper_user if self.helper_user_id else self.helper_team

    @property
    def window_days(self):
        return FREQUENCY_DAYS[self.frequency]

    def is_overdue(self, last_visit_on, today=None):
        """True when no visit happened within the window (from the start for a new pairing)."""
        today = today or timezone.localdate()
        since = last_visit_on or self.started_on
        return since + timedelta(days=self.window_days) < today


class HelpProgram(models.Model):
    """A help drive (e.g. a Spring Festival condolence drive) that groups visits."""

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="help_programs", verbose_name=_("中心")
    )
    name = models.CharField(_("名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    description = models.TextField(_("说明"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶活动")
        verbose_name_plural = _("帮扶活动")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="program_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.name


class VisitQuerySet(ScopedQuerySet):
    scope_field = "beneficiary__center"


class Visit(models.Model):
    """A visit or condolence call (走访/慰问) to a beneficiary."""

    class Kind(models.TextChoices):
        HOME = "home", _("入户走访")
        HOLIDAY = "holiday", _("节日慰问")
        MATERIAL = "material", _("物资帮扶")
        COMPANY = "company", _("陪伴谈心")
        REPAIR = "repair", _("维修帮助")
        HEALTH = "health", _("健康检查")
        REFERRAL = "referral", _("转介服务")

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.CASCADE, related_name="visits", verbose_name=_("帮扶对象")
    )
    pairing = models.ForeignKey(
        Pairing, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    program = models.ForeignKey(
        HelpProgram,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("所属帮扶活动"),
    )
    # Reports read visits, donations and distributions by date across a whole district.
    visited_on = models.DateField(_("走访日期"), db_index=True)
    kind = models.CharField(_("方式"), max_length=20, choices=Kind)
    helper_name = models.CharField(_("走访人"), max_length=60)
    findings = models.TextField(_("了解情况"), blank=True)
    items_given = models.CharField(_("送去物品"), max_length=200, blank=True)
    follow_up = models.TextField(_("后续跟进"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-pk"]
        indexes = [
            models.Index(fields=["beneficiary", "-visited_on"]),
            # "Visited within its window?" for each running pairing (the on-time visit rate).
            models.Index(fields=["pairing", "visited_on"]),
        ]

    def __str__(self):
        return f"{self.visited_on} {self.get_kind_display()}"


# -- The love aid station --------------------------------------------------------------------


class Item(models.Model):
    """An entry of the district-wide catalogue of goods."""

    class Category(models.TextChoices):
        CLOTHING = "clothing", _("衣物")
        BEDDING = "bedding", _("床品")
        FOOD = "food", _("粮油食品")
        DAILY = "daily", _("日用品")
        BOOKS = "books", _("书籍文具")
        TOYS = "toys", _("玩具")
        APPLIANCES = "appliances", _("小家电")
        MOBILITY = "mobility", _("助老助残用品")
        OTHER = "other", _("其他")

    category = models.CharField(_("类别"), max_length=20, choices=Category)
    name = models.CharField(_("物品"), max_length=60)
    unit = models.CharField(_("单位"), max_length=10, default=_("件"))

    class Meta:
        verbose_name = _("物资品类")
        verbose_name_plural = _("物资品类")
        ordering = ["category", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "unit"], name="item_unique")]

    def __str__(self):
        return f"{self.name}（{self.unit}）"


class ItemLine(models.Model):
    """A quantity of one catalogue item: a line of a donation, a request or a distribution."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(
        _("数量"), validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.item} × {self.quantity}"


class AidStationQuerySet(ScopedQuerySet):
    def public(self):
        return self.filter(is_public=True, center__is_published=True)


class AidStation(models.Model):
    """A center's love aid station (党群爱心援助站)."""

    center = models.OneToOneField(
        Center, on_delete=models.PROTECT, related_name="aid_station", verbose_name=_("所属中心")
    )
    name = models.CharField(_("名称"), max_length=100)
    intro = models.TextField(_("介绍"), blank=True)
    how_to_donate = models.TextField(_("捐赠须知"), blank=True)
    opening_hours = models.CharField(_("收发时间"), max_length=200, blank=True)
    is_public = models.BooleanField(_("公开"), default=True)

    objects = AidStationQuerySet.as_manager()

    class Meta:
        verbose_name = _("爱心援助站")
        verbose_name_plural = _("爱心援助站")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assistance:station", args=[self.center.slug])


class WishListItem(models.Model):
    """Something the station needs now, shown publicly."""

    station = models.ForeignKey(AidStation, on_delete=models.CASCADE, related_name="wishes")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("急需物资")
        verbose_name_plural = _("急需物资")
        constraints = [models.UniqueConstraint(fields=["station", "item"], name="wish_once")]

    def __str__(self):
        return str(self.item)


class StockLevel(models.Model):
    """The running level of one item at one station: locked by every movement, never negative."""

    station = models.ForeignKey(AidStation, on_delete=models.PROTECT, related_name="levels")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="levels")
    quantity = models.IntegerField(_("库存"), default=0)

    objects = StationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("库存")
        verbose_name_plural = _("库存")
        constraints = [
            models.UniqueConstraint(fields=["station", "item"], name="stock_level_once"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_never_negative"),
        ]

    def __str__(self):
        return f"{self.item} {self.quantity}"


class Donation(models.Model):
    station = models.ForeignKey(AidStation, on_delete=models.PROTECT, related_name="donations")
    donor_name = models.CharField(_("捐赠人"), max_length=60, blank=True)
    is_anonymous = models.BooleanField(_("匿名捐赠"), default=False)
    received_on = models.DateField(_("接收日期"), db_index=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        ordering = ["-received_on", "-pk"]

    def __str__(self):
        return f"{self.received_on} {self.display_donor}"

    @property
    def display_donor(self):
        return _("爱心人士") if self.is_anonymous or not self.donor_name else self.donor_name


class DonationLine(ItemLine):
    class Condition(models.TextChoices):
        NEW = "new", _("全新")
        GOOD = "good", _("较新")
        FAIR = "fair", _("可用")

    donation = models.ForeignKey(Donation, on_delete=models.CASCADE, related_name="lines")
    condition = models.CharField(
        _("成色"), max_length=10, choices=Condition, default=Condition.GOOD
    )
    disinfected = models.BooleanField(_("已消毒"), default=False)

    class Meta:
        verbose_name = _("捐赠明细")
        verbose_name_plural = _("捐赠明细")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="donation_line_positive")
        ]


class AidRequest(models.Model):
    """A request for goods: from a resident's public form, or filed by staff for a beneficiary."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已批准")
        FULFILLED = "fulfilled", _("已发放")
        DECLINED = "declined", _("未批准")

    station = models.ForeignKey(AidStation, on_delete=models.PROTECT, related_name="requests")
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, null=True, blank=True, related_name="aid_requests"
    )
    requester_name = models.CharField(_("申请人"), max_length=40, blank=True)
    requester_phone = EncryptedCharField(
        _("联系电话"), max_length=11, null=True, blank=True, validators=[phone_validator]
    )
    reason = models.TextField(_("申请理由"), max_length=1000)
    items_wanted = models.CharField(_("需要的物品"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.PENDING)
    decline_reason = models.CharField(_("未批准原因"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = StationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("物资申请")
        verbose_name_plural = _("物资申请")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_status_display()} {self.created_at:%Y-%m-%d}"

    @property
    def masked_requester(self):
        if self.beneficiary_id:
            return self.beneficiary.masked_name
        return mask_name(self.requester_name)


class AidRequestLine(ItemLine):
    request = models.ForeignKey(AidRequest, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        verbose_name = _("申请明细")
        verbose_name_plural = _("申请明细")


class Distribution(models.Model):
    """Goods handed out: fulfilling a request, to a beneficiary, or standalone; has a receipt."""

    station = models.ForeignKey(AidStation, on_delete=models.PROTECT, related_name="distributions")
    request = models.OneToOneField(
        AidRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="distribution"
    )
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, null=True, blank=True, related_name="distributions"
    )
    recipient_name = models.CharField(_("领取人"), max_length=40, blank=True)
    distributed_on = models.DateField(_("发放日期"), db_index=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("物资发放")
        verbose_name_plural = _("物资发放")
        ordering = ["-distributed_on", "-pk"]

    def __str__(self):
        return self.receipt_number

    @property
    def receipt_number(self):
        return f"FF{self.distributed_on:%Y%m%d}-{self.pk:05d}"


class DistributionLine(ItemLine):
    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        verbose_name = _("发放明细")
        verbose_name_plural = _("发放明细")


class StockMovement(models.Model):
    """One line of the ledger: who moved how many of what, and why. Never edited or deleted."""

    class Kind(models.TextChoices):
        DONATION = "donation", _("捐赠入库")
        DISTRIBUTION = "distribution", _("发放出库")
        ADJUSTMENT = "adjustment", _("盘点调整")
        TRANSFER_IN = "transfer_in", _("调入")
        TRANSFER_OUT = "transfer_out", _("调出")
        REVERSAL = "reversal", _("冲正")

    station = models.ForeignKey(AidStation, on_delete=models.PROTECT, related_name="movements")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind)
    quantity = models.IntegerField(_("数量"), help_text=_("入库为正，出库为负。"))
    balance_after = models.PositiveIntegerField(_("结余"))
    reason = models.CharField(_("原因"), max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    donation = models.ForeignKey(
        Donation, on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    distribution = models.ForeignKey(
        Distribution, on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    counterpart = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = StationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("出入库记录")
        verbose_name_plural = _("出入库记录")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["station", "item", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="movement_not_zero"),
            models.CheckConstraint(
                condition=Q(quantity__lte=MAX_QUANTITY) & Q(quantity__gte=-MAX_QUANTITY),
                name="movement_bounded",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.item} {self.quantity:+d}"


class GoodsOffer(models.Model):
    """A resident's offer of goods through the station's public form."""

    class Status(models.TextChoices):
        NEW = "new", _("待联系")
        CONTACTED = "contacted", _("已联系")
        RECEIVED = "received", _("已接收")
        CLOSED = "closed", _("已关闭")

    station = models.ForeignKey(AidStation, on_delete=models.CASCADE, related_name="offers")
    name = models.CharField(_("称呼"), max_length=40)
    phone = EncryptedCharField(_("联系电话"), max_length=11, validators=[phone_validator])
    items = models.TextField(_("想捐赠的物品"), max_length=1000)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.NEW)
    created_at = models.DateTimeField(default=timezone.now)

    objects = StationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("捐赠意向")
        verbose_name_plural = _("捐赠意向")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{mask_name(self.name)} {self.created_at:%Y-%m-%d}"


class AidMonth(MonthlySummary):
    """The assistance section's monthly counts of a center for an ended month: visits to its
    beneficiaries and units its stations handed out (centers.summaries; counted by
    assistance.reports.monthly_counts)."""

    visits = models.PositiveIntegerField(default=0)
    distributed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("帮扶月度汇总")
        verbose_name_plural = _("帮扶月度汇总")
        constraints = [
            models.UniqueConstraint(fields=["center", "month"], name="aidmonth_one_per_cell")
        ]
