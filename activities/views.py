from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import decorator_from_middleware
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities import exports, feeds, selectors, services
from activities.forms import (
    ActivityForm,
    CalendarFilterForm,
    OccurrenceCancelForm,
    OccurrenceMoveForm,
    OccurrenceRecordForm,
)
from activities.models import Activity, Occurrence, Registration
from centers import scoping
from centers.models import AuditEntry, Center
from centers.services import audit


def _error_text(exc):
    return " ".join(exc.messages)


# -- Public calendar -------------------------------------------------------------------------


@login_not_required
@require_GET
def calendar(request):
    form = CalendarFilterForm(request.GET or None)
    filters = {}
    if form.is_bound:
        # The form shows what is wrong; the filters that are valid still apply.
        form.is_valid()
        filters = form.cleaned_data
    center = selectors.public_center(filters.get("center"))
    view = filters.get("view") or "list"
    anchor = filters.get("date") or timezone.localdate()
    common = {
        "center": center,
        "category": filters.get("category", ""),
        "audience": filters.get("audience", ""),
    }
    context = {"form": form, "view": view, "center": center, "anchor": anchor}
    if view == "month":
        first, last = selectors.month_bounds(anchor)
        context["cells"] = selectors.calendar_grid(
            first_day=first, last_day=last, month=anchor.month, **common
        )
        first_of_month = anchor.replace(day=1)
        context["prev_date"] = (first_of_month - timedelta(days=1)).replace(day=1)
        context["next_date"] = (first_of_month + timedelta(days=32)).replace(day=1)
    elif view == "week":
        first, last = selectors.week_bounds(anchor)
        context["cells"] = selectors.calendar_grid(first_day=first, last_day=last, **common)
        context["prev_date"], context["next_date"] = (
            first - timedelta(days=7),
            first + timedelta(days=7),
        )
    else:
        page_obj, days = selectors.calendar_list(
            start=filters.get("date"), page=request.GET.get("page", 1), **common
        )
        context.update(page_obj=page_obj, days=days)
    return render(request, "activities/calendar.html", context)


@login_not_required
@require_GET
def activity_detail(request, pk):
    activity, upcoming, past = selectors.activity_detail(pk, user=request.user)
    return render(
        request,
        "activities/activity_detail.html",
        {"activity": activity, "upcoming": upcoming, "past": past},
    )


@login_not_required
@require_GET
def occurrence_detail(request, pk):
    occurrence = selectors.occurrence_detail(pk, user=request.user)
    return render(
        request,
        "activities/occurrence_detail.html",
        {"occurrence": occurrence, "activity": occurrence.activity},
    )


@require_POST
def signup(request, pk):
    occurrence = get_object_or_404(Occurrence.objects.published(), pk=pk)
    try:
        registration = services.registration_create(user=request.user, occurrence=occurrence)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(occurrence.get_absolute_url())
    if registration.status == Registration.Status.CONFIRMED:
        messages.success(request, _("报名成功！请保存下面的签到码，活动当天出示给工作人员。"))
    else:
        messages.warning(
            request, _("名额已满，您已进入候补名单。有人取消时会自动为您转正并通知您。")
        )
    return redirect(registration.get_absolute_url())


def _own_registration(request, pk):
    registration = (
        Registration.objects.select_related(
            "occurrence__activity__center", "occurrence__room", "user"
        )
        .filter(pk=pk, user=request.user)
        .first()
    )
    if registration is None:
        raise Http404
    return registration


@require_GET
def registration_detail(request, pk):
    registration = _own_registration(request, pk)
    context = {"registration": registration, "occurrence": registration.occurrence}
    if registration.status == Registration.Status.CONFIRMED:
        url = request.build_absolute_uri(
            reverse("activities_manage:checkin", args=[services.checkin_token(registration)])
        )
        context["qr_svg"] = feeds.qr_data_uri(url)
        context["checkin_url"] = url
    elif registration.status == Registration.Status.WAITLISTED:
        context["position"] = selectors.waitlist_position(registration)
    return render(request, "activities/registration_detail.html", context)


@require_http_methods(["GET", "POST"])
def registration_cancel(request, pk):
    registration = _own_registration(request, pk)
    if request.method == "POST":
        try:
            services.registration_cancel(user=request.user, registration=registration)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect(registration.get_absolute_url())
        messages.success(request, _("已取消报名。"))
        return redirect("activities:mine")
    return render(
        request, "activities/registration_confirm_cancel.html", {"registration": registration}
    )


@require_GET
def my_registrations(request):
    upcoming, past, hours, attended = selectors.my_registrations(request.user)
    return render(
        request,
        "activities/my_registrations.html",
        {"upcoming": upcoming, "past": past, "hours": hours, "attended": attended},
    )


class _FeedGZipMiddleware(GZipMiddleware):
    # No random bytes in the gzip header (Django adds them against BREACH, and the feed has
    # nothing to guess): the same feed compresses to the same bytes, so the copy each worker
    # keeps of a large page (centers.caching) outlives the sign-ups that make every page stale.
    max_random_bytes = 0


@login_not_required
@require_GET
# A district's feed holds thousands of activities (megabytes of text that compresses tenfold);
# it carries nothing secret, so compressing it invites no BREACH-style guessing.
@decorator_from_middleware(_FeedGZipMiddleware)
def feed(request):
    # The calendar's filter form reads the query string: a center or category that does not
    # parse (NUL bytes and overlong text included) names nothing, so the feed is a 404.
    form = CalendarFilterForm(request.GET)
    if not form.is_valid() and form.errors.keys() & {"center", "category"}:
        raise Http404
    center = selectors.public_center(form.cleaned_data.get("center"))
    category = form.cleaned_data.get("category", "")
    url = request.build_absolute_uri()
    body = feeds.cached_feed(
        f"{request.scheme}://{request.get_host()}:{center.pk if center else ''}:{category}",
        lambda: feeds.ical_feed(
            selectors.feed_activities(center=center, category=category),
            name=center.name if center else None,
            url=url,
        ),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="activities.ics"'
    return response


# -- Staff ----------------------------------------------------------------------------------


def _staff_activity(request, pk, perm="view"):
    return scoping.get_object_for_user(Activity.objects, request.user, perm, pk=pk)


def _staff_occurrence(request, pk, perm="view"):
    occurrence = (
        Occurrence.objects.for_user(request.user)
        .select_related("activity__center", "room")
        .filter(pk=pk)
        .first()
    )
    if occurrence is None:
        raise Http404
    if not scoping.has_perm(request.user, perm, occurrence.activity.center):
        raise PermissionDenied
    return occurrence


@require_GET
def manage_list(request):
    if not scoping.is_staff_member(request.user):
        raise PermissionDenied
    q = request.GET.get("q", "")[:50]
    page_obj = selectors.staff_activities(request.user, q=q, page=request.GET.get("page", 1))
    centers = Center.objects.for_user(request.user, "change").order_by("path")[:200]
    return render(
        request,
        "activities/manage/activity_list.html",
        {"page_obj": page_obj, "q": q, "centers": centers},
    )


@require_http_methods(["GET", "POST"])
def manage_add(request, slug):
    center = scoping.get_center_for_user(request.user, slug, "change")
    form = ActivityForm(request.POST or None, request.FILES or None, center=center)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(
                actor=request.user, center=center, data=form.service_data()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("活动已创建。"))
            return redirect("activities_manage:detail", pk=activity.pk)
    return render(request, "activities/manage/activity_form.html", {"form": form, "center": center})


def _add_errors(form, exc):
    """Show a service's ValidationError on the form, by field where it names one."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
def manage_edit(request, pk):
    activity = _staff_activity(request, pk, "change")
    form = ActivityForm(
        request.POST or None, request.FILES or None, instance=activity, center=activity.center
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(
                actor=request.user, activity=activity, data=form.service_data()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("活动已保存。"))
            return redirect("activities_manage:detail", pk=activity.pk)
    return render(
        request,
        "activities/manage/activity_form.html",
        {"form": form, "center": activity.center, "activity": activity},
    )


@require_GET
def manage_detail(request, pk):
    activity = _staff_activity(request, pk)
    return render(
        request,
        "activities/manage/activity_detail.html",
        {
            "activity": activity,
            "occurrences": selectors.staff_activity(activity),
            "can_edit": scoping.has_perm(request.user, "change", activity.center),
            "now": timezone.now(),
        },
    )


@require_GET
def manage_occurrence(request, pk):
    occurrence = _staff_occurrence(request, pk)
    confirmed, waitlisted = selectors.roster(occurrence)
    return render(
        request,
        "activities/manage/occurrence_detail.html",
        {
            "occurrence": occurrence,
            "activity": occurrence.activity,
            "confirmed": confirmed,
            "waitlisted": waitlisted,
            "can_edit": scoping.has_perm(request.user, "change", occurrence.activity.center),
            "record_form": OccurrenceRecordForm(
                initial={"summary": occurrence.summary, "head_count": occurrence.head_count}
            ),
        },
    )


@require_POST
def manage_attendance(request, pk):
    occurrence = _staff_occurrence(request, pk, "change")
    try:
        count = services.attendance_record(
            actor=request.user, occurrence=occurrence, attended_ids=request.POST.getlist("attended")
        )
    except (ValidationError, ValueError) as exc:
        messages.error(
            request, _error_text(exc) if isinstance(exc, ValidationError) else _("签到名单有误。")
        )
    else:
        messages.success(request, _("签到已保存：%(n)s 人到场。") % {"n": count})
    return redirect("activities_manage:occurrence", pk=occurrence.pk)


def _occurrence_form_view(request, pk, form_class, apply, template, success, initial=None):
    occurrence = _staff_occurrence(request, pk, "change")
    kwargs = {"center": occurrence.activity.center} if form_class is OccurrenceMoveForm else {}
    if initial is not None:
        kwargs["initial"] = initial(occurrence)
    form = form_class(request.POST or None, request.FILES or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            apply(occurrence, form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("activities_manage:occurrence", pk=occurrence.pk)
    return render(
        request, template, {"form": form, "occurrence": occurrence, "activity": occurrence.activity}
    )


@require_http_methods(["GET", "POST"])
def manage_cancel(request, pk):
    return _occurrence_form_view(
        request,
        pk,
        OccurrenceCancelForm,
        lambda o, d: services.occurrence_cancel(
            actor=request.user, occurrence=o, reason=d["reason"]
        ),
        "activities/manage/occurrence_cancel.html",
        _("这场活动已取消，已通知报名的居民。"),
    )


@require_http_methods(["GET", "POST"])
def manage_move(request, pk):
    return _occurrence_form_view(
        request,
        pk,
        OccurrenceMoveForm,
        lambda o, d: services.occurrence_move(
            actor=request.user, occurrence=o, starts_at=d["starts_at"], room=d["room"]
        ),
        "activities/manage/occurrence_move.html",
        _("时间已调整，已通知报名的居民。"),
        # Start from the current time and room: a blank room would move it out of its room.
        initial=lambda o: {
            "start_date": timezone.localtime(o.starts_at).date(),
            "start_time": timezone.localtime(o.starts_at).time().replace(second=0, microsecond=0),
            "room": o.room_id,
        },
    )


@require_http_methods(["GET", "POST"])
def manage_record(request, pk):
    return _occurrence_form_view(
        request,
        pk,
        OccurrenceRecordForm,
        lambda o, d: services.occurrence_record(
            actor=request.user,
            occurrence=o,
            summary=d["summary"],
            head_count=d["head_count"],
            photos=[d[k] for k in ("photo1", "photo2", "photo3") if d.get(k)],
        ),
        "activities/manage/occurrence_record.html",
        _("活动纪实已保存。"),
        initial=lambda o: {"summary": o.summary, "head_count": o.head_count},
    )


@require_GET
def manage_export(request, pk, fmt):
    occurrence = _staff_occurrence(request, pk)
    if fmt not in exports.FORMATS:
        raise Http404
    confirmed, _waitlisted = selectors.roster(occurrence)
    audit(
        actor=request.user,
        center=occurrence.activity.center,
        action=AuditEntry.Action.EXPORT,
        obj=occurrence,
        summary=f"导出签到表（{fmt.upper()}）：{occurrence}",
    )
    return exports.attendance_sheet(occurrence, confirmed, fmt)


@require_http_methods(["GET", "POST"])
def manage_checkin(request, token):
    try:
        pk = services.registration_from_token(token)
    except ValidationError as exc:
        return render(
            request, "activities/manage/checkin.html", {"error": _error_text(exc)}, status=400
        )
    registration = (
        Registration.objects.filter(pk=pk, occurrence__in=Occurrence.objects.for_user(request.user))
        .select_related("occurrence__activity__center", "user")
        .first()
    )
    if registration is None:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            registration = services.registration_check_in(actor=request.user, token=token)
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            messages.success(request, _("%(name)s 签到成功。") % {"name": registration.user})
            return redirect("activities_manage:occurrence", pk=registration.occurrence_id)
    return render(
        request, "activities/manage/checkin.html", {"registration": registration, "error": error}
    )
