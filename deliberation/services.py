"""Every write to the deliberation station: one function each, atomic, with its history event.

Locking: a transition locks the issue row and checks the status the actor saw, so two staff
acting at once cannot both move an issue from the same state; the second gets a clear message.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centers import scoping
from centers.images import ProcessedImage
from centers.messaging import send_sms
from centers.models import AuditEntry, Center
from centers.services import audit, notify
from deliberation.models import (
    RESIDENT_TRANSITIONS,
    TRANSITIONS,
    AgendaItem,
    Issue,
    IssueEvent,
    IssuePhoto,
    Meeting,
    MeetingParticipant,
)

MAX_PHOTOS = 3


def next_working_day(moment):
    """The same time on the next working day (Monday to Friday)."""
    moment = timezone.localtime(moment)
    nxt = moment + timedelta(days=1)
    while nxt.weekday() >= 5:
        nxt += timedelta(days=1)
    return nxt


def _status_label(value):
    return str(Issue.Status(value).label) if value else ""


def _tell_submitter(issue, title, body):
    """Tell whoever raised the issue, by notification (account) or SMS (phone), after commit."""
    url = issue.get_absolute_url()
    if issue.submitted_by_id:
        notify(user=issue.submitted_by, title=title, body=body, url=url)
    elif issue.submitter_phone:
        phone = issue.submitter_phone
        text = f"{title}。{body} 查询码：{issue.display_code}"
        transaction.on_commit(lambda: send_sms(phone, text))


def _event(
    issue,
    *,
    actor,
    kind=IssueEvent.Kind.TRANSITION,
    from_status="",
    to_status="",
    public_note="",
    internal_note="",
):
    return IssueEvent.objects.create(
        issue=issue,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        center=issue.center,
        public_note=public_note,
        internal_note=internal_note,
    )


@transaction.atomic
def issue_submit(*, center: Center, data: dict, user=None, photos=()) -> Issue:
    """Take in a resident's issue at a center; returns it with its tracking code.

    `data` holds title, description, category, location, submitter_name, submitter_phone,
    is_anonymous. Raises ValidationError for invalid data or more than three photos.
    """
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(_("最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS})
    now = timezone.now()
    issue = Issue(center=center, created_at=now, response_due=next_working_day(now))
    for name in (
        "title",
        "description",
        "category",
        "location",
        "submitter_name",
        "submitter_phone",
        "is_anonymous",
    ):
        setattr(issue, name, data.get(name, getattr(issue, name)))
    if issue.is_anonymous and not issue.submitter_phone:
        issue.submitter_name = ""
    if user is not None and user.is_authenticated:
        issue.submitted_by = user
    issue.full_clean()
    issue.save()
    for photo in photos:
        if not isinstance(photo, ProcessedImage):
            raise ValidationError(_("照片无效。"))
        row = IssuePhoto(issue=issue)
        row.image.save(photo.image.name, photo.image, save=False)
        row.thumbnail.save(photo.thumbnail.name, photo.thumbnail, save=False)
        row.save()
    _event(
        issue,
        actor=user if user is not None and user.is_authenticated else None,
        to_status=Issue.Status.SUBMITTED,
        public_note=_("已收到您反映的问题，%(center)s将在一个工作日内受理。")
        % {"center": center.short_name},
    )
    return issue


def _lock(issue, expected_status=None):
    locked = (
        Issue.objects.select_for_update(of=("self",))
        .select_related("center", "submitted_by")
        .get(pk=issue.pk)
    )
    if expected_status is not None and locked.status != expected_status:
        raise ValidationError(
            _("该议题刚刚已被处理（现在是“%(status)s”），请刷新页面后再操作。")
            % {"status": locked.get_status_display()}
        )
    return locked


def _check_allowed(issue, to_status):
    if to_status not in TRANSITIONS.get(issue.status, set()):
        raise ValidationError(
            _("“%(from)s”的议题不能改为“%(to)s”。")
            % {"from": issue.get_status_display(), "to": _status_label(to_status)}
        )


@transaction.atomic
def issue_transition(
    *,
    actor,
    issue: Issue,
    to_status: str,
    expected_status: str | None = None,
    public_note: str = "",
    internal_note: str = "",
    due_date: date | None = None,
    resolution: str = "",
    merged_into: Issue | None = None,
) -> Issue:
    """Move an issue to `to_status` as a staff member, writing its event.

    Rules: the move must be in TRANSITIONS; the actor needs `change` at the issue's center;
    accepting needs a due date from today on; rejecting needs a public reason; resolving needs
    a resolution; merging needs another open issue in the actor's scope; escalating moves the
    issue to the parent center, which then has a working day to accept it.
    Raises ValidationError (broken rule, or the status changed meanwhile) or PermissionDenied.
    """
    issue = _lock(issue, expected_status)
    if not scoping.has_perm(actor, "change", issue.center):
        raise PermissionDenied
    if (issue.status, to_status) in RESIDENT_TRANSITIONS:
        raise ValidationError(_("办结后由居民评价：满意则结案，不满意则重新办理。"))
    _check_allowed(issue, to_status)
    now = timezone.now()
    S = Issue.Status
    update = ["status"]
    if to_status == S.ACCEPTED:
        if due_date is None:
            raise ValidationError({"due_date": _("受理时请设定办结期限。")})
        if due_date < timezone.localdate():
            raise ValidationError({"due_date": _("办结期限不能早于今天。")})
        issue.due_date = due_date
        update.append("due_date")
        if issue.accepted_at is None:
            issue.accepted_at = now
            update.append("accepted_at")
    elif to_status == S.REJECTED:
        if not public_note.strip():
            raise ValidationError({"public_note": _("不予受理时请写明理由，居民能看到。")})
        issue.public_reason = public_note
        update.append("public_reason")
    elif to_status == S.RESOLVED:
        if not resolution.strip():
            raise ValidationError({"resolution": _("请填写办理结果。")})
        issue.resolution = resolution
        issue.resolved_at = now
        update += ["resolution", "resolved_at"]
    elif to_status == S.MERGED:
        if merged_into is None or merged_into.pk == issue.pk:
            raise ValidationError({"merged_into": _("请选择要合并到的另一个议题。")})
        if not Issue.objects.for_user(actor).filter(pk=merged_into.pk).exists():
            raise ValidationError({"merged_into": _("没有找到这个议题。")})
        if merged_into.status in (S.MERGED, S.REJECTED):
            raise ValidationError({"merged_into": _("不能合并到已合并或不予受理的议题。")})
        issue.merged_into = merged_into
        update.append("merged_into")
    elif to_status == S.ESCALATED:
        parent_path = issue.center.path[: -issue.center.steplen]
        parent = Center.objects.filter(path=parent_path).first() if parent_path else None
        if parent is None:
            raise ValidationError(_("区级中心没有上级，不能再上报。"))
        issue.center = parent
        issue.response_due = next_working_day(now)
        issue.assigned_to = None
        update += ["center", "response_due", "assigned_to"]
    from_status = issue.status
    issue.status = to_status
    issue.full_clean(exclude=["submitter_phone"])
    issue.save(update_fields=[*update, "updated_at"])
    _event(
        issue,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        public_note=public_note or (resolution if to_status == S.RESOLVED else ""),
        internal_note=internal_note,
    )
    _tell_submitter(
        issue,
        _("您反映的问题“%(title)s”%(status)s")
        % {"title": issue.title, "status": issue.get_status_display()},
        public_note or resolution,
    )
    return issue


@transaction.atomic
def issue_assign(*, actor, issue: Issue, assignee, internal_note: str = "") -> Issue:
    """Give an open issue to a colleague who can work on it at the issue's center."""
    issue = _lock(issue)
    if not scoping.has_perm(actor, "change", issue.center):
        raise PermissionDenied
    if not issue.is_open:
        raise ValidationError(_("已结束的议题不能再指派。"))
    if assignee is not None and not scoping.has_perm(assignee, "change", issue.center):
        raise ValidationError({"assignee": _("这位同事在本中心没有办理权限。")})
    issue.assigned_to = assignee
    issue.save(update_fields=["assigned_to", "updated_at"])
    _event(
        issue,
        actor=actor,
        kind=IssueEvent.Kind.ASSIGN,
        internal_note=internal_note
        or (_("指派给 %(name)s") % {"name": assignee} if assignee else _("取消指派")),
    )
    return issue


@transaction.atomic
def issue_progress(*, actor, issue: Issue, public_note: str, internal_note: str = "") -> Issue:
    """Post progress on an open issue (a public note, an internal note, or both)."""
    issue = _lock(issue)
    if not scoping.has_perm(actor, "change", issue.center):
        raise PermissionDenied
    if not issue.is_open:
        raise ValidationError(_("已结束的议题不能再添加进展。"))
    if not (public_note.strip() or internal_note.strip()):
        raise ValidationError({"public_note": _("请填写进展说明。")})
    _event(
        issue,
        actor=actor,
        kind=IssueEvent.Kind.PROGRESS,
        public_note=public_note,
        internal_note=internal_note,
    )
    if public_note.strip():
        _tell_submitter(
            issue, _("您反映的问题“%(title)s”有新进展") % {"title": issue.title}, public_note
        )
    return issue


def _submitter_matches(issue, *, user, phone):
    if user is not None and user.is_authenticated and issue.submitted_by_id == user.pk:
        return True
    return bool(issue.submitter_phone) and phone == issue.submitter_phone


@transaction.atomic
def issue_rate(
    *, issue: Issue, satisfaction: str, comment: str = "", user=None, phone: str = ""
) -> Issue:
    """The submitter rates a resolved issue: satisfied closes it, unsatisfied reopens it.

    The submitter is recognised by their account or by the phone number they gave.
    Raises ValidationError if the issue is not waiting for a rating or the phone does not match.
    """
    issue = _lock(issue)
    if issue.status != Issue.Status.RESOLVED:
        raise ValidationError(_("只有已办结、尚未评价的议题可以评价。"))
    if not _submitter_matches(issue, user=user, phone=phone):
        raise ValidationError({"phone": _("请填写反映问题时留下的手机号码。")})
    if satisfaction not in Issue.Satisfaction.values:
        raise ValidationError({"satisfaction": _("请选择评价。")})
    unsatisfied = satisfaction == Issue.Satisfaction.UNSATISFIED
    to_status = Issue.Status.REOPENED if unsatisfied else Issue.Status.CLOSED
    _check_allowed(issue, to_status)
    from_status = issue.status
    issue.status = to_status
    issue.satisfaction = satisfaction
    issue.rating_comment = comment
    issue.rated_at = timezone.now()
    issue.save(update_fields=["status", "satisfaction", "rating_comment", "rated_at", "updated_at"])
    _event(
        issue,
        actor=user if user is not None and user.is_authenticated else None,
        kind=IssueEvent.Kind.RATING,
        from_status=from_status,
        to_status=to_status,
        # The resident's own words may name people or places: staff only.
        public_note=_("居民评价：%(s)s") % {"s": issue.get_satisfaction_display()},
        internal_note=comment,
    )
    if unsatisfied and issue.assigned_to_id:
        notify(
            user=issue.assigned_to,
            title=_("居民不满意，议题重新办理：%(title)s") % {"title": issue.title},
            body=comment,
            url=issue.get_manage_url(),
        )
    return issue


def issue_reveal_contact(*, actor, issue: Issue) -> dict:
    """The submitter's full name and phone for staff in scope, written to the access log."""
    if not scoping.has_perm(actor, "view", issue.center):
        raise PermissionDenied
    audit(
        actor=actor,
        center=issue.center,
        action=AuditEntry.Action.VIEW_PERSONAL,
        obj=issue,
        summary=f"查看议题反映人联系方式：{issue.title}",
    )
    return {"name": issue.submitter_name, "phone": issue.submitter_phone}


# -- Meetings ---------------------------------------------------------------------------------


@transaction.atomic
def meeting_save(
    *,
    actor,
    center: Center,
    data: dict,
    participants: list,
    issues: list,
    meeting: Meeting | None = None,
) -> Meeting:
    """Create or update a meeting with its participants (role, names, count) and agenda issues.

    Agenda issues must be open issues at the meeting's center or below, in the actor's scope.
    """
    scoping.require(actor, "change", center)
    creating = meeting is None
    meeting = meeting or Meeting(center=center, created_by=actor)
    for name in ("title", "held_at", "place", "minutes"):
        if name in data:
            setattr(meeting, name, data[name])
    meeting.full_clean()
    meeting.save()
    meeting.participants.all().delete()
    MeetingParticipant.objects.bulk_create(
        MeetingParticipant(meeting=meeting, role=role, names=names, count=count)
        for role, names, count in participants
        if count
    )
    allowed = set(
        Issue.objects.for_user(actor, "change")
        .in_subtree(center)
        .filter(pk__in=[i.pk for i in issues])
        .values_list("pk", flat=True)
    )
    if len(allowed) != len({i.pk for i in issues}):
        raise ValidationError({"issues": _("只能选择本中心及下属中心的议题。")})
    keep = {i.pk for i in issues}
    meeting.agenda.exclude(issue__in=keep).filter(decision="").delete()
    existing = set(meeting.agenda.values_list("issue", flat=True))
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, issue_id=pk) for pk in keep - existing
    )
    audit(
        actor=actor,
        center=center,
        action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
        obj=meeting,
        summary=f"{'新增' if creating else '修改'}协商会议：{meeting}",
    )
    return meeting


@transaction.atomic
def meeting_decide(*, actor, item: AgendaItem, decision: str, to_status: str | None) -> AgendaItem:
    """Record the meeting's decision on an issue and, if given, move the issue on with it."""
    item = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting__center", "issue")
        .get(pk=item.pk)
    )
    scoping.require(actor, "change", item.meeting.center)
    if not decision.strip():
        raise ValidationError({"decision": _("请填写协商结果。")})
    item.decision = decision
    item.save(update_fields=["decision"])
    if to_status and to_status != item.issue.status:
        issue_transition(
            actor=actor,
            issue=item.issue,
            to_status=to_status,
            public_note=_("经%(meeting)s协商：%(decision)s")
            % {"meeting": item.meeting.title, "decision": decision},
            resolution=decision if to_status == Issue.Status.RESOLVED else "",
        )
    return item


@transaction.atomic
def meeting_publish(*, actor, meeting: Meeting) -> Meeting:
    """Publish a meeting's result (结果公示) on the center's page."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("center").get(pk=meeting.pk)
    )
    scoping.require(actor, "change", meeting.center)
    if not meeting.minutes.strip():
        raise ValidationError(_("请先填写会议纪要再公示。"))
    if meeting.published_at is None:
        meeting.published_at = timezone.now()
        meeting.save(update_fields=["published_at"])
        audit(
            actor=actor,
            center=meeting.center,
            action=AuditEntry.Action.UPDATE,
            obj=meeting,
            summary=f"公示协商会议结果：{meeting}",
        )
    return meeting
