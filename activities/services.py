"""Every write to activities, occurrences and sign-ups: one function each, atomic, audited.

Locking: a sign-up or cancellation locks its occurrence row (select_for_update) before reading
the counts, so concurrent sign-ups for the last place queue on that row; `confirmed_count` is
kept in the same transaction and a CHECK constraint keeps it within capacity as the backstop.
"""

from datetime import timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import recurrence, signals
from activities.models import Activity, Occurrence, OccurrencePhoto, Registration
from centers import scoping
from centers.images import ProcessedImage
from centers.models import AuditEntry
from centers.services import audit, notify

CHECKIN_SALT = "activities.checkin"
MAX_RECORD_PHOTOS = 6

ACTIVITY_FIELDS = [
    "title",
    "description",
    "category",
    "audience",
    "room",
    "location",
    "organizer",
    "starts_at",
    "duration_minutes",
    "recurrence",
    "capacity",
    "registration_required",
    "registration_closes_hours",
    "volunteer_hours",
    "is_published",
]


#: Set by the service, not validated as input: `created_by` is empty once its user is deleted
#: (SET_NULL) and must not make the activity uneditable.
_NOT_FROM_STAFF = ["created_by"]


def _apply(activity, data):
    for name in ACTIVITY_FIELDS:
        if name in data:
            setattr(activity, name, data[name])
    cover = data.get("cover")
    if isinstance(cover, ProcessedImage):
        activity.cover.save(cover.image.name, cover.image, save=False)
        activity.cover_thumbnail.save(cover.thumbnail.name, cover.thumbnail, save=False)
    elif cover is False:
        activity.cover = activity.cover_thumbnail = ""


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M")


def room_conflicts(*, room, starts_at, ends_at, exclude_activity=None, exclude_occurrence=None):
    """Scheduled occurrences in `room` overlapping [starts_at, ends_at)."""
    if room is None:
        return Occurrence.objects.none()
    qs = Occurrence.objects.scheduled().filter(
        room=room, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude_activity is not None:
        qs = qs.exclude(activity=exclude_activity)
    if exclude_occurrence is not None:
        qs = qs.exclude(pk=exclude_occurrence.pk)
    return qs.select_related("activity")


def _check_room(room, spans, *, exclude_activity=None, exclude_occurrence=None):
    """Refuse spans that overlap a scheduled occurrence in `room`: one query for all spans."""
    spans = sorted(spans)
    if room is None or not spans:
        return
    booked = list(
        room_conflicts(
            room=room,
            starts_at=spans[0][0],
            ends_at=max(end for _start, end in spans),
            exclude_activity=exclude_activity,
            exclude_occurrence=exclude_occurrence,
        ).order_by("starts_at")
    )
    for starts_at, ends_at in spans:
        clash = next((o for o in booked if o.starts_at < ends_at and o.ends_at > starts_at), None)
        if clash:
            raise ValidationError(
                {
                    "room": _("%(room)s 在 %(time)s 已被“%(other)s”占用，请换个时间或功能室。")
                    % {"room": room.name, "time": _local(clash.starts_at), "other": clash.activity}
                }
            )


def _save_occurrences(build):
    """Run `build()` turning the room exclusion constraint into a form error."""
    try:
        with transaction.atomic():
            return build()
    except IntegrityError as exc:
        if "occurrence_room_no_overlap" in str(exc):
            raise ValidationError({"room": _("该功能室在这段时间已被占用。")}) from exc
        raise


def _promote_waiting(occurrence):
    """Give the places that opened up to the waiting list, first in line first, and tell them.

    The caller holds the occurrence's row lock.
    """
    waiting = (
        occurrence.registrations.select_for_update(of=("self",))
        .filter(status=Registration.Status.WAITLISTED)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    if occurrence.capacity is not None:
        waiting = waiting[: max(occurrence.capacity - occurrence.confirmed_count, 0)]
    promoted = list(waiting)
    if not promoted:
        return
    now = timezone.now()
    for registration in promoted:
        registration.status = Registration.Status.CONFIRMED
        registration.promoted_at = now
        notify(
            user=registration.user,
            title=_("候补成功：%(title)s") % {"title": occurrence.activity.title},
            body=_("名额增加了，您已从候补转为报名成功。活动时间：%(time)s。")
            % {"time": _local(occurrence.starts_at)},
            url=registration.get_absolute_url(),
        )
    Registration.objects.bulk_update(promoted, ["status", "promoted_at"])
    occurrence.confirmed_count += len(promoted)
    occurrence.save(update_fields=["confirmed_count"])
    signals.refresh_occurrences([occurrence])


def _sync_occurrences(activity, *, actor):
    """Create the rule's future occurrences and drop or cancel the ones it no longer has."""
    now = timezone.now()
    duration = timedelta(minutes=activity.duration_minutes)
    wanted = {start: start + duration for start in recurrence.slots(activity)}
    existing = {o.original_start: o for o in activity.occurrences.select_for_update(of=("self",))}
    # A moved or cancelled session keeps its own time (or none): its slot in the rule may
    # since have been booked by another activity.
    kept = {s for s, o in existing.items() if o.is_moved or o.is_cancelled}
    future_spans = [(s, e) for s, e in wanted.items() if e > now and s not in kept]
    _check_room(activity.room, future_spans, exclude_activity=activity)

    def build():
        for start, occurrence in existing.items():
            if occurrence.ends_at <= now or occurrence.is_cancelled:
                continue
            if start not in wanted:
                if occurrence.registrations.exclude(status=Registration.Status.CANCELLED).exists():
                    _cancel(occurrence, actor=actor, reason=_("活动安排调整"))
                else:
                    occurrence.delete()
                continue
            if not occurrence.is_moved:
                occurrence.starts_at, occurrence.ends_at = start, wanted[start]
                occurrence.room = activity.room
            old_capacity = occurrence.capacity
            occurrence.capacity = (
                max(activity.capacity, occurrence.confirmed_count) if activity.capacity else None
            )
            occurrence.save(update_fields=["starts_at", "ends_at", "room", "capacity"])
            if old_capacity is not None and (
                occurrence.capacity is None or occurrence.capacity > old_capacity
            ):
                _promote_waiting(occurrence)
        # A new activity gets every slot of its rule (staff may log one that already took
        # place); a changed one only future slots: its past stays as it happened.
        created = Occurrence.objects.bulk_create(
            Occurrence(
                activity=activity,
                original_start=start,
                starts_at=start,
                ends_at=end,
                room=activity.room,
                capacity=activity.capacity,
            )
            for start, end in wanted.items()
            if start not in existing and (end > now or not existing)
        )
        signals.refresh_occurrences(created)

    _save_occurrences(build)


@transaction.atomic
def activity_create(*, actor, center, data) -> Activity:
    """Create an activity at `center` with its occurrences. Needs `change` there.

    Raises ValidationError for an invalid rule, a room of another center, or a room that is
    already booked at one of the times.
    """
    scoping.require(actor, "change", center)
    activity = Activity(center=center, created_by=actor)
    _apply(activity, data)
    activity.full_clean(exclude=_NOT_FROM_STAFF)
    activity.save()
    _sync_occurrences(activity, actor=actor)
    audit(
        actor=actor,
        center=center,
        action=AuditEntry.Action.CREATE,
        obj=activity,
        summary=f"新增活动：{activity}",
    )
    return activity


@transaction.atomic
def activity_update(*, actor, activity, data) -> Activity:
    """Change an activity; future occurrences follow its new time, rule, room and capacity."""
    scoping.require(actor, "change", activity.center)
    activity = Activity.objects.select_for_update(of=("self",)).get(pk=activity.pk)
    _apply(activity, data)
    activity.full_clean(exclude=_NOT_FROM_STAFF)
    activity.save()
    _sync_occurrences(activity, actor=actor)
    audit(
        actor=actor,
        center=activity.center,
        action=AuditEntry.Action.UPDATE,
        obj=activity,
        summary=f"修改活动：{activity}",
    )
    return activity


def _registrants(occurrence):
    return [
        r.user
        for r in occurrence.registrations.exclude(
            status=Registration.Status.CANCELLED
        ).select_related("user")
    ]


def _cancel(occurrence, *, actor, reason):
    occurrence.status = Occurrence.Status.CANCELLED
    occurrence.cancel_reason = reason
    occurrence.save(update_fields=["status", "cancel_reason"])
    for user in _registrants(occurrence):
        notify(
            user=user,
            title=_("活动取消：%(title)s") % {"title": occurrence.activity.title},
            body=_("%(time)s 的活动取消了。原因：%(reason)s")
            % {"time": _local(occurrence.starts_at), "reason": reason},
            url=occurrence.get_absolute_url(),
        )


@transaction.atomic
def occurrence_cancel(*, actor, occurrence, reason) -> Occurrence:
    """Cancel one occurrence and tell everyone signed up. Needs `change` at the center."""
    occurrence = (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("activity__center")
        .get(pk=occurrence.pk)
    )
    scoping.require(actor, "change", occurrence.activity.center)
    if occurrence.is_cancelled:
        raise ValidationError(_("这场活动已经取消了。"))
    if occurrence.ends_at <= timezone.now():
        raise ValidationError(_("已经结束的活动不能取消。"))
    _cancel(occurrence, actor=actor, reason=reason)
    audit(
        actor=actor,
        center=occurrence.activity.center,
        action=AuditEntry.Action.UPDATE,
        obj=occurrence,
        summary=f"取消活动场次：{occurrence}",
    )
    return occurrence


@transaction.atomic
def occurrence_move(*, actor, occurrence, starts_at, room) -> Occurrence:
    """Move one occurrence to another time or room and tell everyone signed up."""
    occurrence = (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("activity__center")
        .get(pk=occurrence.pk)
    )
    activity = occurrence.activity
    scoping.require(actor, "change", activity.center)
    if occurrence.is_cancelled:
        raise ValidationError(_("已取消的活动不能调整时间。"))
    if room is not None and room.center_id != activity.center_id:
        raise ValidationError({"room": _("请选择本中心的功能室。")})
    if occurrence.ends_at <= timezone.now():
        raise ValidationError(_("已经结束的活动不能调整时间。"))
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("新的时间必须晚于现在。")})
    ends_at = starts_at + (occurrence.ends_at - occurrence.starts_at)
    _check_room(room, [(starts_at, ends_at)], exclude_occurrence=occurrence)
    old = occurrence.starts_at
    occurrence.starts_at, occurrence.ends_at, occurrence.room = starts_at, ends_at, room
    _save_occurrences(lambda: occurrence.save(update_fields=["starts_at", "ends_at", "room"]))
    for user in _registrants(occurrence):
        notify(
            user=user,
            title=_("活动时间调整：%(title)s") % {"title": activity.title},
            body=_("原定 %(old)s 的活动改到 %(new)s，地点：%(place)s。")
            % {
                "old": _local(old),
                "new": _local(starts_at),
                "place": room.name if room else activity.location,
            },
            url=occurrence.get_absolute_url(),
        )
    audit(
        actor=actor,
        center=activity.center,
        action=AuditEntry.Action.UPDATE,
        obj=occurrence,
        summary=f"调整活动场次：{occurrence}",
    )
    return occurrence


@transaction.atomic
def registration_create(*, user, occurrence) -> Registration:
    """Sign a resident up: confirmed while places remain, else on the waiting list.

    Raises ValidationError when sign-up is closed (cancelled, past, deadline passed, not
    required) or the resident already holds a sign-up for this occurrence.
    """
    if not user.is_authenticated:
        raise PermissionDenied
    occurrence = (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("activity")
        .get(pk=occurrence.pk)
    )
    activity = occurrence.activity
    now = timezone.now()
    if not activity.is_published:
        raise ValidationError(_("这项活动没有公开报名。"))
    if not activity.registration_required:
        raise ValidationError(_("这项活动无需报名，直接到场参加即可。"))
    if occurrence.is_cancelled:
        raise ValidationError(_("这场活动已经取消，不能报名。"))
    if occurrence.starts_at <= now:
        raise ValidationError(_("这场活动已经开始或结束，不能再报名。"))
    if now >= occurrence.registration_deadline(activity):
        raise ValidationError(
            _("报名已于 %(time)s 截止。")
            % {"time": _local(occurrence.registration_deadline(activity))}
        )
    if (
        occurrence.registrations.filter(user=user)
        .exclude(status=Registration.Status.CANCELLED)
        .exists()
    ):
        raise ValidationError(_("您已经报名了这场活动。"))
    if occurrence.is_full:
        status = Registration.Status.WAITLISTED
    else:
        status = Registration.Status.CONFIRMED
        occurrence.confirmed_count += 1
        occurrence.save(update_fields=["confirmed_count"])
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                occurrence=occurrence, user=user, status=status
            )
    except IntegrityError as exc:
        raise ValidationError(_("您已经报名了这场活动。")) from exc
    return registration


@transaction.atomic
def registration_cancel(*, user, registration) -> Registration:
    """Cancel a sign-up; a freed place goes to the first on the waiting list, who is told."""
    occurrence = (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("activity")
        .get(pk=registration.occurrence_id)
    )
    registration = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
    if registration.user_id != user.pk and not scoping.has_perm(
        user, "change", occurrence.activity.center
    ):
        raise PermissionDenied
    if registration.status == Registration.Status.CANCELLED:
        raise ValidationError(_("这条报名已经取消了。"))
    if occurrence.starts_at <= timezone.now():
        raise ValidationError(_("活动已经开始，不能再取消报名。"))
    was_confirmed = registration.status == Registration.Status.CONFIRMED
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    if was_confirmed:
        occurrence.confirmed_count -= 1
        first = (
            occurrence.registrations.select_for_update(of=("self",))
            .filter(status=Registration.Status.WAITLISTED)
            .select_related("user")
            .order_by("created_at", "pk")
            .first()
        )
        if first is not None:
            first.status = Registration.Status.CONFIRMED
            first.promoted_at = timezone.now()
            first.save(update_fields=["status", "promoted_at"])
            occurrence.confirmed_count += 1
            notify(
                user=first.user,
                title=_("候补成功：%(title)s") % {"title": occurrence.activity.title},
                body=_("有人取消了报名，您已从候补转为报名成功。活动时间：%(time)s。")
                % {"time": _local(occurrence.starts_at)},
                url=first.get_absolute_url(),
            )
        occurrence.save(update_fields=["confirmed_count"])
    return registration


def checkin_token(registration):
    """A signed token for the registration's check-in QR code."""
    return signing.dumps(registration.pk, salt=CHECKIN_SALT, compress=True)


def registration_from_token(token):
    """The registration id in a check-in token; ValidationError if forged or garbled."""
    try:
        return signing.loads(token, salt=CHECKIN_SALT)
    except signing.BadSignature as exc:
        raise ValidationError(_("签到码无效，请让居民重新打开报名凭证。")) from exc


@transaction.atomic
def attendance_record(*, actor, occurrence, attended_ids) -> int:
    """Set who attended an occurrence (a tick list); volunteer hours follow. Returns the count."""
    occurrence = (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("activity__center")
        .get(pk=occurrence.pk)
    )
    activity = occurrence.activity
    scoping.require(actor, "change", activity.center)
    if occurrence.is_cancelled:
        raise ValidationError(_("这场活动已取消，不能签到。"))
    if occurrence.starts_at - timedelta(hours=2) > timezone.now():
        raise ValidationError(_("活动还没开始，开始前两小时内才能签到。"))
    attended_ids = {int(pk) for pk in attended_ids}
    now = timezone.now()
    registrations = list(
        occurrence.registrations.select_for_update(of=("self",)).filter(
            status=Registration.Status.CONFIRMED
        )
    )
    for registration in registrations:
        attended = registration.pk in attended_ids
        if attended != registration.attended:
            registration.attended = attended
            registration.checked_in_at = now if attended else None
        registration.hours_credited = activity.volunteer_hours if attended else 0
    Registration.objects.bulk_update(registrations, ["attended", "checked_in_at", "hours_credited"])
    signals.refresh_occurrences([occurrence])
    audit(
        actor=actor,
        center=activity.center,
        action=AuditEntry.Action.UPDATE,
        obj=occurrence,
        summary=f"登记签到：{occurrence}",
    )
    return sum(r.attended for r in registrations)


@transaction.atomic
def registration_check_in(*, actor, token) -> Registration:
    """Check a resident in by the signed code on their confirmation (scanned by staff)."""
    pk = registration_from_token(token)
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("occurrence__activity__center", "user")
        .filter(pk=pk)
        .first()
    )
    if registration is None:
        raise ValidationError(_("没有找到这条报名。"))
    activity = registration.occurrence.activity
    if not scoping.has_perm(actor, "change", activity.center):
        raise PermissionDenied
    if registration.status != Registration.Status.CONFIRMED:
        raise ValidationError(
            _("这条报名不是“报名成功”状态（%(status)s），不能签到。")
            % {"status": registration.get_status_display()}
        )
    if registration.occurrence.is_cancelled:
        raise ValidationError(_("这场活动已取消，不能签到。"))
    if registration.occurrence.starts_at - timedelta(hours=2) > timezone.now():
        raise ValidationError(_("活动还没开始，开始前两小时内才能签到。"))
    if not registration.attended:
        registration.attended = True
        registration.checked_in_at = timezone.now()
        registration.hours_credited = activity.volunteer_hours
        registration.save(update_fields=["attended", "checked_in_at", "hours_credited"])
    return registration


@transaction.atomic
def occurrence_record(*, actor, occurrence, summary, head_count, photos=()) -> Occurrence:
    """Write the post-activity record (纪实): a summary, the head count and up to six photos."""
    occurrence = (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("activity__center")
        .get(pk=occurrence.pk)
    )
    scoping.require(actor, "change", occurrence.activity.center)
    if occurrence.is_cancelled:
        raise ValidationError(_("已取消的活动不能填写活动纪实。"))
    if occurrence.starts_at > timezone.now():
        raise ValidationError(_("活动开始后才能填写活动纪实。"))
    if occurrence.photos.count() + len(photos) > MAX_RECORD_PHOTOS:
        raise ValidationError(_("每场活动最多 %(n)s 张照片。") % {"n": MAX_RECORD_PHOTOS})
    occurrence.summary = summary
    occurrence.head_count = head_count
    occurrence.recorded_at = timezone.now()
    occurrence.save(update_fields=["summary", "head_count", "recorded_at"])
    for photo in photos:
        row = OccurrencePhoto(occurrence=occurrence)
        row.image.save(photo.image.name, photo.image, save=False)
        row.thumbnail.save(photo.thumbnail.name, photo.thumbnail, save=False)
        row.save()
    audit(
        actor=actor,
        center=occurrence.activity.center,
        action=AuditEntry.Action.UPDATE,
        obj=occurrence,
        summary=f"填写活动纪实：{occurrence}",
    )
    return occurrence


@transaction.atomic
def activity_extend_occurrences(*, activity_id) -> int:
    """Create the rule's occurrences that the horizon now reaches. Returns how many were added."""
    activity = Activity.objects.select_for_update(of=("self",)).get(pk=activity_id)
    before = activity.occurrences.count()
    _sync_occurrences(activity, actor=None)
    return activity.occurrences.count() - before
