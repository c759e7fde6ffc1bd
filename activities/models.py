"""Activities, their occurrences, sign-ups with capacity and waiting list, attendance."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centers.models import Center, MonthlySummary, Room, Team


class ActivityQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True, center__is_published=True)

    def for_user(self, user, perm="view"):
        from centers import scoping

        return self.filter(scoping.center_field_q(user, perm, field="center"))

    def in_subtree(self, center):
        return self.filter(center__path__startswith=center.path)


class Activity(models.Model):
    """What happens, where and for whom; one-off, or recurring by an RFC 5545 rule."""

    class Category(models.TextChoices):
        PARTY = "party", _("党性锤炼")
        STUDY = "study", _("学习教育")
        CULTURE = "culture", _("文体娱乐")
        SERVICE = "service", _("综合服务")
        OPINION = "opinion", _("民意交流")
        VOLUNTEER = "volunteer", _("志愿服务")
        FESTIVAL = "festival", _("节庆活动")

    class Audience(models.TextChoices):
        ALL = "all", _("所有居民")
        ELDERLY = "elderly", _("老年人")
        CHILDREN = "children", _("少年儿童")
        PARTY_MEMBERS = "party_members", _("党员")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="activities", verbose_name=_("举办中心")
    )
    title = models.CharField(_("活动名称"), max_length=100)
    description = models.TextField(_("活动介绍"), blank=True)
    category = models.CharField(_("类别"), max_length=20, choices=Category)
    audience = models.CharField(
        _("面向人群"), max_length=20, choices=Audience, default=Audience.ALL
    )
    room = models.ForeignKey(
        Room,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("功能室"),
    )
    location = models.CharField(
        _("活动地点"),
        max_length=100,
        blank=True,
        help_text=_("不在功能室举办时填写，如“社区广场”。"),
    )
    organizer = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("组织队伍"),
    )
    starts_at = models.DateTimeField(_("开始时间"), help_text=_("重复活动填写第一次的时间。"))
    duration_minutes = models.PositiveIntegerField(
        _("时长（分钟）"), default=90, validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    recurrence = models.CharField(
        _("重复规则"),
        max_length=200,
        blank=True,
        help_text=_(
            "RFC 5545 规则，如 FREQ=WEEKLY;BYDAY=TU;UNTIL=20270630T000000Z；不重复则留空。"
        ),
    )
    capacity = models.PositiveIntegerField(
        _("名额"), null=True, blank=True, help_text=_("每次活动的报名名额；留空表示不限。")
    )
    registration_required = models.BooleanField(_("需要报名"), default=True)
    registration_closes_hours = models.PositiveSmallIntegerField(
        _("报名截止（开始前几小时）"), default=2, validators=[MaxValueValidator(24 * 14)]
    )
    volunteer_hours = models.DecimalField(
        _("志愿服务时长（小时）"),
        max_digits=4,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("参加一次记入的志愿服务时长；非志愿活动填 0。"),
    )
    cover = models.ImageField(_("封面图片"), upload_to="activities/%Y/", blank=True)
    cover_thumbnail = models.ImageField(
        upload_to="activities/thumbs/%Y/", blank=True, editable=False
    )
    is_published = models.BooleanField(_("公开"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["center", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="activity_capacity_positive",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("activities:detail", args=[self.pk])

    @property
    def is_recurring(self):
        return bool(self.recurrence)

    @property
    def place(self):
        return self.room.name if self.room_id else self.location

    def clean(self):
        if self.room_id and self.center_id and self.room.center_id != self.center_id:
            raise ValidationError({"room": _("请选择本中心的功能室。")})
        if self.organizer_id and self.center_id and self.organizer.center_id != self.center_id:
            raise ValidationError({"organizer": _("请选择本中心的队伍。")})
        if self.recurrence:
            from activities.recurrence import parse_rule

            parse_rule(self.recurrence, self.starts_at)


class OccurrenceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(activity__is_published=True, activity__center__is_published=True)

    def for_user(self, user, perm="view"):
        from centers import scoping

        return self.filter(scoping.center_field_q(user, perm, field="activity__center"))

    def in_subtree(self, center):
        return self.filter(activity__center__path__startswith=center.path)

    def scheduled(self):
        return self.filter(status=Occurrence.Status.SCHEDULED)

    def upcoming(self, now=None):
        return self.filter(ends_at__gte=now or timezone.now())

    def between(self, start, end):
        return self.filter(starts_at__lt=end, ends_at__gt=start)


class Occurrence(models.Model):
    """One session of an activity: its own time, room, capacity and sign-ups."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("正常")
        CANCELLED = "cancelled", _("已取消")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="occurrences", verbose_name=_("活动")
    )
    original_start = models.DateTimeField(
        _("原定开始时间"), help_text=_("重复规则中的这一次；调整时间后不变。")
    )
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="occurrences"
    )
    capacity = models.PositiveIntegerField(_("名额"), null=True, blank=True)
    confirmed_count = models.PositiveIntegerField(_("已报名人数"), default=0)
    status = models.CharField(_("状态"), max_length=20, choices=Status, default=Status.SCHEDULED)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    summary = models.TextField(_("活动纪实"), blank=True)
    head_count = models.PositiveIntegerField(_("实际参加人数"), null=True, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动场次")
        verbose_name_plural = _("活动场次")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "original_start"], name="occurrence_unique_slot"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="occurrence_ends_after_start"
            ),
            # Capacity is never exceeded, whatever the code above it does.
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(confirmed_count__lte=F("capacity")),
                name="occurrence_within_capacity",
            ),
        ]

    def __str__(self):
        return f"{self.activity} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("activities:occurrence", args=[self.pk])

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def is_moved(self):
        return self.starts_at != self.original_start

    @property
    def places_left(self):
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_count, 0)

    @property
    def is_full(self):
        return self.capacity is not None and self.confirmed_count >= self.capacity

    def registration_deadline(self, activity=None):
        activity = activity or self.activity
        return self.starts_at - timezone.timedelta(hours=activity.registration_closes_hours)


class OccurrencePhoto(models.Model):
    """A photo of the post-activity record (活动纪实), shown on the activity's public page."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="activities/records/%Y/")
    thumbnail = models.ImageField(upload_to="activities/records/thumbs/%Y/")

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["pk"]

    def __str__(self):
        return self.image.name


class Registration(models.Model):
    """A resident's sign-up for one occurrence: confirmed, on the waiting list, or cancelled."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("报名成功")
        WAITLISTED = "waitlisted", _("候补中")
        CANCELLED = "cancelled", _("已取消")

    occurrence = models.ForeignKey(
        Occurrence, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("场次")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("居民"),
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status)
    created_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    promoted_at = models.DateTimeField(_("候补转正时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    attended = models.BooleanField(_("已签到"), default=False)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    hours_credited = models.DecimalField(_("志愿时长"), max_digits=4, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "user"],
                condition=~Q(status="cancelled"),
                name="registration_one_active_per_user",
            ),
        ]
        indexes = [models.Index(fields=["occurrence", "status", "created_at"])]

    def __str__(self):
        return f"{self.user} · {self.occurrence}"

    def get_absolute_url(self):
        return reverse("activities:registration", args=[self.pk])

    @property
    def is_active(self):
        return self.status != self.Status.CANCELLED


class ActivityMonth(MonthlySummary):
    """The activities section's key figures of a center for an ended month, by the month a
    session started (centers.summaries; counted by activities.reports.monthly_counts)."""

    held = models.PositiveIntegerField(default=0)
    participants = models.PositiveIntegerField(default=0)
    signups = models.PositiveIntegerField(default=0)
    present = models.PositiveIntegerField(default=0)
    hours = models.DecimalField(max_digits=12, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("活动月度汇总")
        verbose_name_plural = _("活动月度汇总")
        constraints = [
            models.UniqueConstraint(fields=["center", "month"], name="activitymonth_one_per_cell")
        ]
