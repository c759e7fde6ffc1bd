"""The resident deliberation station: issues from intake to resolution, their history, meetings.

The workflow follows the community-consultation procedure (议题征集 → 确定议题 → 协商 →
结果公示 → 组织实施 → 监督评议). `TRANSITIONS` is the one table of allowed moves; only
`services.issue_transition()` writes `Issue.status`, and every move writes an `IssueEvent`.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centers.models import Center, MonthlySummary, phone_validator

#: Tracking codes avoid characters that read alike (0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V).
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
#: 12 characters of 23 = 54 bits of randomness.
CODE_LENGTH = 12


def new_tracking_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text):
    """A typed code as stored: upper case, separators and spaces removed."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:CODE_LENGTH]


def overdue_q(today=None):
    """A Q for the issues past a deadline now: not accepted within the response time, or open
    at work past the due date."""
    today = today or timezone.localdate()
    late_to_accept = Q(
        status__in=[Issue.Status.SUBMITTED, Issue.Status.ESCALATED],
        response_due__lt=timezone.now(),
    )
    late_to_resolve = Q(status__in=Issue.WORKING_STATES, due_date__lt=today)
    return late_to_accept | late_to_resolve


class IssueQuerySet(models.QuerySet):
    def for_user(self, user, perm="view"):
        from centers import scoping

        return self.filter(scoping.center_field_q(user, perm, field="center"))

    def in_subtree(self, center):
        return self.filter(center__path__startswith=center.path)

    def open(self):
        return self.filter(status__in=Issue.OPEN_STATES)

    def overdue(self, today=None):
        return self.filter(overdue_q(today))

    def publicly_resolved(self):
        return self.filter(status__in=[Issue.Status.RESOLVED, Issue.Status.CLOSED], is_public=True)


class Issue(models.Model):
    """A matter a resident raised (议题), at the center currently responsible for it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        ACCEPTED = "accepted", _("已受理")
        DELIBERATING = "deliberating", _("协商中")
        IN_PROGRESS = "in_progress", _("办理中")
        RESOLVED = "resolved", _("已办结")
        CLOSED = "closed", _("已评价")
        REJECTED = "rejected", _("不予受理")
        MERGED = "merged", _("已合并")
        ESCALATED = "escalated", _("已上报")
        REOPENED = "reopened", _("重新办理")

    class Category(models.TextChoices):
        ROADS = "roads", _("道路交通")
        DRAINAGE = "drainage", _("排水积水")
        PROPERTY = "property", _("物业管理")
        UTILITIES = "utilities", _("水电气暖")
        SANITATION = "sanitation", _("环境卫生")
        PUBLIC_SPACE = "public_space", _("公共空间")
        SAFETY = "safety", _("安全隐患")
        NEIGHBOURS = "neighbours", _("邻里纠纷")
        OTHER = "other", _("其他")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    OPEN_STATES = [
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.DELIBERATING,
        Status.IN_PROGRESS,
        Status.ESCALATED,
        Status.REOPENED,
    ]
    WORKING_STATES = [Status.ACCEPTED, Status.DELIBERATING, Status.IN_PROGRESS, Status.REOPENED]

    tracking_code = models.CharField(
        _("查询码"), max_length=CODE_LENGTH, unique=True, default=new_tracking_code, editable=False
    )
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="issues", verbose_name=_("受理中心")
    )
    title = models.CharField(_("标题"), max_length=80)
    description = models.TextField(_("具体情况"), max_length=3000)
    category = models.CharField(_("类别"), max_length=20, choices=Category)
    location = models.CharField(_("地点"), max_length=120, blank=True)
    # Personal data (PIPL): never on a public page; masked in staff lists; full view is logged.
    submitter_name = models.CharField(_("反映人姓名"), max_length=40, blank=True)
    submitter_phone = models.CharField(
        _("反映人电话"), max_length=11, blank=True, validators=[phone_validator]
    )
    is_anonymous = models.BooleanField(_("匿名反映"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issues",
        verbose_name=_("居民账号"),
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status, default=Status.SUBMITTED)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_issues",
        verbose_name=_("承办人"),
    )
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    response_due = models.DateTimeField(_("受理时限"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    due_date = models.DateField(_("办结期限"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolution = models.TextField(_("办理结果"), blank=True)
    public_reason = models.TextField(_("不予受理理由"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_issues",
        verbose_name=_("合并到"),
    )
    satisfaction = models.CharField(_("评价"), max_length=20, choices=Satisfaction, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True, max_length=1000)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    is_public = models.BooleanField(
        _("公示"), default=True, help_text=_("办结后在中心页面公示标题和办理结果（不含个人信息）。")
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["center", "status"]),
            models.Index(fields=["status", "due_date"]),
            # The work still to do, which the inbox lists and counts: a few thousand rows of a
            # district's hundreds of thousands (inbox counts 12 -> 5 ms at city scale).
            models.Index(
                fields=["center", "status"],
                condition=Q(
                    status__in=[
                        "submitted",
                        "accepted",
                        "deliberating",
                        "in_progress",
                        "escalated",
                        "reopened",
                    ]
                ),
                name="issue_open_by_center",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="issue_merged_has_target",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction="") | Q(rated_at__isnull=False),
                name="issue_rating_has_time",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("deliberation:track", args=[self.tracking_code])

    def get_manage_url(self):
        return reverse("deliberation_manage:issue", args=[self.pk])

    @property
    def display_code(self):
        code = self.tracking_code
        return f"{code[:4]}-{code[4:8]}-{code[8:]}"

    @property
    def is_open(self):
        return self.status in self.OPEN_STATES

    @property
    def is_overdue(self):
        if self.status in (self.Status.SUBMITTED, self.Status.ESCALATED):
            return self.response_due < timezone.now()
        return (
            self.status in self.WORKING_STATES
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )

    @property
    def masked_phone(self):
        p = self.submitter_phone
        return f"{p[:3]}****{p[-4:]}" if len(p) == 11 else ("—" if not p else "****")

    @property
    def masked_name(self):
        name = self.submitter_name
        if not name:
            return _("匿名") if self.is_anonymous else "—"
        return name[0] + "*" * max(len(name) - 1, 1)


class IssuePhoto(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="issues/%Y/")
    thumbnail = models.ImageField(upload_to="issues/thumbs/%Y/")

    class Meta:
        verbose_name = _("议题照片")
        verbose_name_plural = _("议题照片")
        ordering = ["pk"]

    def __str__(self):
        return self.image.name


class IssueEvent(models.Model):
    """One step in an issue's history: a transition, an assignment, progress, a rating."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("状态变更")
        ASSIGN = "assign", _("指派")
        PROGRESS = "progress", _("进展")
        RATING = "rating", _("评价")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.TRANSITION)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=20, choices=Issue.Status, blank=True)
    to_status = models.CharField(max_length=20, choices=Issue.Status, blank=True)
    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="+")
    public_note = models.TextField(_("公开说明"), blank=True, max_length=2000)
    internal_note = models.TextField(_("内部备注"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("议题记录")
        verbose_name_plural = _("议题记录")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["issue", "created_at"])]

    def __str__(self):
        return f"{self.issue_id} {self.from_status}→{self.to_status}"


class MeetingQuerySet(models.QuerySet):
    def for_user(self, user, perm="view"):
        from centers import scoping

        return self.filter(scoping.center_field_q(user, perm, field="center"))

    def published(self):
        return self.filter(published_at__isnull=False, center__is_published=True)


class Meeting(models.Model):
    """A consultation meeting (议事会/协商会) and its published result (结果公示)."""

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("召开中心")
    )
    title = models.CharField(_("会议名称"), max_length=100)
    held_at = models.DateTimeField(_("召开时间"))
    place = models.CharField(_("地点"), max_length=100)
    minutes = models.TextField(_("会议纪要"), blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("协商会议")
        verbose_name_plural = _("协商会议")
        ordering = ["-held_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("deliberation:meeting", args=[self.pk])


class MeetingParticipant(models.Model):
    """Who took part, by role: names (optional) and how many."""

    class Role(models.TextChoices):
        PARTY_MEMBER = "party_member", _("党员")
        GRID_WORKER = "grid_worker", _("网格员")
        VOLUNTEER = "volunteer", _("志愿者")
        RESIDENT_REP = "resident_rep", _("居民代表")
        UNIT_REP = "unit_rep", _("驻区单位代表")
        STAFF = "staff", _("社区工作人员")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(_("身份"), max_length=20, choices=Role)
    names = models.CharField(_("姓名"), max_length=300, blank=True)
    count = models.PositiveIntegerField(_("人数"))

    class Meta:
        verbose_name = _("参会人员")
        verbose_name_plural = _("参会人员")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "role"], name="participant_one_row_per_role"
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.count}"


class AgendaItem(models.Model):
    """An issue discussed at a meeting, with the decision taken on it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    issue = models.ForeignKey(Issue, on_delete=models.PROTECT, related_name="agenda_items")
    decision = models.TextField(_("协商结果"), blank=True)

    class Meta:
        verbose_name = _("议程")
        verbose_name_plural = _("议程")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "issue"], name="agenda_issue_once"),
        ]

    def __str__(self):
        return f"{self.meeting} · {self.issue}"


S = Issue.Status
#: The one table of allowed moves. Closing and reopening happen only through the resident's
#: rating; every other move is a staff action at the issue's current center.
TRANSITIONS = {
    S.SUBMITTED: {S.ACCEPTED, S.REJECTED, S.MERGED, S.ESCALATED},
    S.ESCALATED: {S.ACCEPTED, S.REJECTED, S.MERGED, S.ESCALATED},
    S.ACCEPTED: {S.DELIBERATING, S.IN_PROGRESS, S.MERGED, S.ESCALATED},
    S.DELIBERATING: {S.IN_PROGRESS, S.ESCALATED},
    S.IN_PROGRESS: {S.RESOLVED, S.ESCALATED},
    S.REOPENED: {S.IN_PROGRESS, S.ESCALATED},
    S.RESOLVED: {S.CLOSED, S.REOPENED},
    S.CLOSED: set(),
    S.REJECTED: set(),
    S.MERGED: set(),
}
RESIDENT_TRANSITIONS = {(S.RESOLVED, S.CLOSED), (S.RESOLVED, S.REOPENED)}
del S


class IssueMonth(MonthlySummary):
    """The deliberation section's cohort counts of a center for an ended month: the issues
    received that month and where they stand now (centers.summaries; counted by
    deliberation.reports.monthly_counts)."""

    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("议题月度汇总")
        verbose_name_plural = _("议题月度汇总")
        constraints = [
            models.UniqueConstraint(fields=["center", "month"], name="issuemonth_one_per_cell")
        ]
