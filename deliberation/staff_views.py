"""Staff console pages of the deliberation station: the inbox, the issue page and its steps,
consultation meetings.

Every object comes through `centers.scoping`: outside the user's scope is 404, in scope with too
weak a role is 403. Every change goes through one service in `deliberation.services`.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from centers import scoping
from centers.models import Center
from deliberation import services
from deliberation import staff_selectors as selectors
from deliberation.models import RESIDENT_TRANSITIONS, TRANSITIONS, Issue, Meeting
from deliberation.staff_forms import (
    AcceptForm,
    AssignForm,
    DecideForm,
    DecisionForm,
    InboxFilterForm,
    MeetingAgendaForm,
    MeetingForm,
    MergeForm,
    ProgressForm,
    RejectForm,
    ResolveForm,
    StepForm,
    participant_forms,
)

S = Issue.Status


@dataclass(frozen=True)
class Step:
    """One thing staff can do on the issue page, posted to `issue_action` as `action`."""

    action: str
    form_class: type
    to_status: str | None = None
    danger: bool = False


STEPS = {
    step.action: step
    for step in (
        Step("accept", AcceptForm, S.ACCEPTED),
        Step("deliberate", StepForm, S.DELIBERATING),
        Step("decide", DecideForm, S.IN_PROGRESS),
        Step("resolve", ResolveForm, S.RESOLVED),
        Step("escalate", StepForm, S.ESCALATED),
        Step("merge", MergeForm, S.MERGED, danger=True),
        Step("reject", RejectForm, S.REJECTED, danger=True),
        Step("assign", AssignForm),
        Step("progress", ProgressForm),
    )
}

#: Labels of the steps whose wording depends on where the issue stands.
DECIDE_LABELS = {
    S.DELIBERATING: gettext_lazy("记录协商结果，转入办理"),
    S.ACCEPTED: gettext_lazy("直接办理（无需协商）"),
    S.REOPENED: gettext_lazy("重新办理"),
}
STEP_LABELS = {
    "accept": gettext_lazy("受理"),
    "deliberate": gettext_lazy("提交协商"),
    "resolve": gettext_lazy("办结"),
    "escalate": gettext_lazy("上报"),
    "merge": gettext_lazy("合并到其他议题"),
    "reject": gettext_lazy("不予受理"),
    "assign": gettext_lazy("指派承办人"),
    "progress": gettext_lazy("发布进展"),
}


def _require_staff(request):
    if not scoping.is_staff_member(request.user):
        raise PermissionDenied


def _staff_issue(request, pk, perm="view"):
    return scoping.get_object_for_user(
        Issue.objects.select_related("assigned_to", "merged_into"), request.user, perm, pk=pk
    )


def _staff_meeting(request, pk, perm="view"):
    return scoping.get_object_for_user(Meeting.objects, request.user, perm, pk=pk)


def _add_errors(form, exc):
    """Show a service's ValidationError on the form, by field where it names one."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _staff_moves(issue):
    """The statuses staff may move the issue to (the resident's rating moves excluded)."""
    return {
        to
        for to in TRANSITIONS.get(issue.status, set())
        if (issue.status, to) not in RESIDENT_TRANSITIONS
    }


def _step_allowed(step, issue):
    if step.to_status is None:
        return issue.is_open
    return step.to_status in _staff_moves(issue)


def _available_steps(issue, parent_center):
    """The steps the issue page offers, in the order of the usual path."""
    moves = _staff_moves(issue)
    steps = [s for s in STEPS.values() if s.to_status in moves]
    if parent_center is None:
        steps = [s for s in steps if s.to_status != S.ESCALATED]
    if issue.is_open:
        steps += [STEPS["assign"], STEPS["progress"]]
    return steps


def _step_label(step, issue, parent_center):
    if step.action == "decide":
        return DECIDE_LABELS[issue.status]
    if step.action == "escalate" and parent_center is not None:
        return _("上报%(center)s") % {"center": parent_center.short_name}
    return STEP_LABELS[step.action]


def _step_form(step, request, issue, data=None):
    kwargs = {"issue": issue, "user": request.user, "auto_id": f"id_{step.action}_%s"}
    if step.form_class is MergeForm:
        kwargs["choices"] = list(selectors.merge_choices(issue, request.user))
    elif step.form_class is AssignForm:
        kwargs["colleagues"] = selectors.assignee_choices(issue.center)
    return step.form_class(data, **kwargs)


def _render_issue(request, issue, *, bound=None, contact=None):
    """The issue page; `bound` is (action, form) to show a refused step with its errors."""
    context = selectors.issue_page(issue)
    can_change = scoping.has_perm(request.user, "change", issue.center)
    steps = []
    if can_change:
        for step in _available_steps(issue, context["parent_center"]):
            if bound is not None and bound[0] == step.action:
                form, is_open = bound[1], True
            else:
                form, is_open = _step_form(step, request, issue), False
            steps.append(
                {
                    "action": step.action,
                    "label": _step_label(step, issue, context["parent_center"]),
                    "form": form,
                    "open": is_open,
                    "danger": step.danger,
                }
            )
    context.update(
        issue=issue,
        can_change=can_change,
        steps=steps,
        contact=contact,
        has_contact=bool(issue.submitter_name or issue.submitter_phone),
    )
    return render(request, "deliberation/manage/issue_detail.html", context)


# -- Inbox and issue page ---------------------------------------------------------------------


@require_GET
def inbox(request):
    _require_staff(request)
    centers = selectors.inbox_centers(request.user, chosen=request.GET.get("center", ""))
    form = InboxFilterForm(request.GET or None, centers=centers)
    filters = {"status": selectors.OPEN}
    if form.is_bound:
        form.is_valid()  # an invalid filter is shown with its error and left out
        filters = form.filters()
    context = selectors.inbox(request.user, page=request.GET.get("page", 1), **filters)
    context.update(form=form, filters=filters, open_value=selectors.OPEN, all_value=selectors.ALL)
    return render(request, "deliberation/manage/inbox.html", context)


@require_GET
def issue_detail(request, pk):
    return _render_issue(request, _staff_issue(request, pk))


@require_POST
def issue_action(request, pk, action):
    step = STEPS.get(action)
    if step is None:
        raise Http404
    issue = _staff_issue(request, pk, "change")
    form = _step_form(step, request, issue, request.POST)
    if not form.is_valid():
        if not _step_allowed(step, issue):
            # The form belongs to a page that no longer matches the issue: say so rather
            # than show a form the page would not offer.
            messages.error(request, _("该议题的状态已经变化，请刷新页面后再操作。"))
            return redirect(issue.get_manage_url())
        return _render_issue(request, issue, bound=(action, form))
    try:
        issue = _apply_step(step, request.user, issue, form)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            _add_errors(form, exc)
            return _render_issue(request, issue, bound=(action, form))
        messages.error(request, " ".join(exc.messages))
        return redirect(issue.get_manage_url())
    messages.success(request, _done_message(action))
    if not scoping.has_perm(request.user, "view", issue.center):
        # Escalated out of the actor's scope: the issue page would now answer 404.
        return redirect("deliberation_manage:inbox")
    return redirect(issue.get_manage_url())


def _apply_step(step, actor, issue, form):
    """Call the one service behind a step; returns the issue as the service left it."""
    if step.to_status is not None:
        return services.issue_transition(
            actor=actor,
            issue=issue,
            to_status=step.to_status,
            expected_status=form.cleaned_data["expected_status"],
            **form.service_kwargs(),
        )
    if step.action == "assign":
        return services.issue_assign(actor=actor, issue=issue, **form.service_kwargs())
    return services.issue_progress(actor=actor, issue=issue, **form.service_kwargs())


def _done_message(action):
    return {
        "accept": _("已受理。"),
        "reject": _("已作不予受理处理，理由已告知居民。"),
        "merge": _("已合并。"),
        "escalate": _("已上报上级中心。"),
        "deliberate": _("已提交协商。"),
        "decide": _("已转入办理。"),
        "resolve": _("已办结，等待居民评价。"),
        "assign": _("承办人已更新。"),
        "progress": _("进展已发布。"),
    }[action]


@never_cache
@require_POST
def issue_contact(request, pk):
    """The submitter's full name and phone, on this response only; the service logs the view."""
    issue = _staff_issue(request, pk)
    contact = services.issue_reveal_contact(actor=request.user, issue=issue)
    return _render_issue(request, issue, contact=contact)


# -- Meetings ---------------------------------------------------------------------------------


@require_GET
def meeting_list(request):
    _require_staff(request)
    return render(
        request,
        "deliberation/manage/meeting_list.html",
        {
            "page_obj": selectors.meetings(request.user, page=request.GET.get("page", 1)),
            "centers": Center.objects.for_user(request.user, "change").order_by("path")[:200],
        },
    )


def _meeting_form_view(request, center, meeting=None):
    data = request.POST if request.method == "POST" else None
    form = MeetingForm(data, meeting=meeting)
    participants = participant_forms(data, meeting=meeting)
    agenda_form = MeetingAgendaForm(
        data, choices=selectors.agenda_choices(request.user, center, meeting), meeting=meeting
    )
    # Validate every form (not just up to the first invalid one) so all errors show at once.
    valid = [f.is_valid() for f in (form, agenda_form, *participants)] if data else [False]
    if all(valid):
        try:
            saved = services.meeting_save(
                actor=request.user,
                center=center,
                meeting=meeting,
                data={**form.service_data(), "minutes": agenda_form.cleaned_data["minutes"]},
                participants=[p.as_row() for p in participants],
                issues=agenda_form.chosen_issues(),
            )
        except ValidationError as exc:
            _meeting_errors(form, agenda_form, exc)
        else:
            messages.success(request, _("会议已保存。"))
            return redirect("deliberation_manage:meeting", pk=saved.pk)
    return render(
        request,
        "deliberation/manage/meeting_form.html",
        {
            "form": form,
            "participants": participants,
            "participant_errors": any(p.errors for p in participants),
            "agenda_form": agenda_form,
            "center": center,
            "meeting": meeting,
        },
    )


def _meeting_errors(form, agenda_form, exc):
    """Put the service's errors on whichever of the meeting's forms holds the field."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        if field in agenda_form.fields:
            agenda_form.add_error(field, errors)
        elif field == "held_at":
            form.add_error("held_date", errors)
        else:
            form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
def meeting_new(request, slug):
    center = scoping.get_center_for_user(request.user, slug, "change")
    return _meeting_form_view(request, center)


@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = _staff_meeting(request, pk, "change")
    return _meeting_form_view(request, meeting.center, meeting)


def _decision_statuses(request, item):
    """Where a meeting's decision may move the issue: staff moves that need nothing more than
    the decision text (accepting needs a due date and merging a target: done on the issue page).
    """
    if not scoping.has_perm(request.user, "change", item.issue.center):
        return []
    moves = _staff_moves(item.issue) - {S.ACCEPTED, S.MERGED}
    return [value for value in S.values if value in moves]


def _render_meeting(request, meeting, *, bound=None):
    context = selectors.meeting_page(meeting)
    can_change = scoping.has_perm(request.user, "change", meeting.center)
    for item in context["agenda"]:
        if bound is not None and bound.item.pk == item.pk:
            item.form = bound
        elif can_change:
            item.form = DecisionForm(item=item, next_statuses=_decision_statuses(request, item))
        else:
            item.form = None
    context.update(meeting=meeting, can_change=can_change)
    return render(request, "deliberation/manage/meeting_detail.html", context)


@require_GET
def meeting_detail(request, pk):
    return _render_meeting(request, _staff_meeting(request, pk))


@require_POST
def meeting_decide(request, pk, item):
    meeting = _staff_meeting(request, pk, "change")
    agenda_item = meeting.agenda.select_related("issue__center").filter(pk=item).first()
    if agenda_item is None:
        raise Http404
    form = DecisionForm(
        request.POST, item=agenda_item, next_statuses=_decision_statuses(request, agenda_item)
    )
    if form.is_valid():
        try:
            services.meeting_decide(
                actor=request.user,
                item=agenda_item,
                decision=form.cleaned_data["decision"],
                to_status=form.cleaned_data.get("to_status") or None,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("协商结果已记录。"))
            return redirect("deliberation_manage:meeting", pk=meeting.pk)
    return _render_meeting(request, meeting, bound=form)


@require_POST
def meeting_publish(request, pk):
    meeting = _staff_meeting(request, pk, "change")
    try:
        services.meeting_publish(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("会议结果已公示。"))
    return redirect("deliberation_manage:meeting", pk=meeting.pk)
