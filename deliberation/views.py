"""Public pages of the deliberation station: raise an issue, follow it, rate it, read results.

Nothing here needs an account except "my issues"; nothing here shows who raised an issue.
"""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from centers import ratelimit
from deliberation import selectors, services
from deliberation.forms import HONEYPOT, IssueForm, RatingForm, TrackLookupForm
from deliberation.models import Issue, normalize_code

#: Submissions by visitors without an account, per client address.
SUBMIT_LIMIT = {"limit": 5, "window_seconds": 60 * 60}
#: Tracking-code lookups (the lookup form, and unknown codes in a tracking URL), per address.
LOOKUP_LIMIT = {"limit": 30, "window_seconds": 10 * 60}
#: Ratings refused for a wrong phone number, per address: the phone is the only proof.
RATE_LIMIT = {"limit": 10, "window_seconds": 60 * 60}


def _key(kind, request):
    return f"{kind}:{ratelimit.client_ip(request)}"


def _too_many(request, message, window_seconds):
    response = render(request, "deliberation/rate_limited.html", {"message": message}, status=429)
    response["Retry-After"] = str(ratelimit.retry_after(window_seconds))
    return response


def _submit_limited(request):
    return _too_many(
        request,
        _("提交太频繁了，请一小时后再试。情况紧急请直接拨打社区电话或 12345 热线。"),
        SUBMIT_LIMIT["window_seconds"],
    )


def _lookup_limited(request):
    return _too_many(
        request,
        _("查询次数太多了，请 10 分钟后再试。"),
        LOOKUP_LIMIT["window_seconds"],
    )


def _add_errors(form, exc):
    """Show a service's ValidationError on the form, by field where it names one."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _qr_data_uri(url):
    return segno.make(url, error="m").svg_data_uri(scale=6, border=2)


# -- Raising an issue ---------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def issue_new(request):
    visitor = not request.user.is_authenticated
    key = _key("submit", request)
    if request.method == "POST":
        if request.POST.get(HONEYPOT):
            # A script filled the field people never see: it gets a page that looks like
            # success and nothing is saved.
            ratelimit.hit(key, **SUBMIT_LIMIT)
            return render(request, "deliberation/issue_received.html")
        # Checked before the form so that a flood of uploads is not even decoded.
        if visitor and ratelimit.is_exceeded(key, **SUBMIT_LIMIT):
            return _submit_limited(request)
        form = IssueForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            if visitor and not ratelimit.hit(key, **SUBMIT_LIMIT):
                return _submit_limited(request)
            try:
                issue = services.issue_submit(
                    center=form.cleaned_data["center"],
                    data=form.service_data(),
                    user=request.user,
                    photos=form.photos(),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("提交成功！请记下查询码或保存二维码，凭它随时查看办理进度。"),
                )
                return redirect(issue.get_absolute_url())
    else:
        form = IssueForm(initial={"center": request.GET.get("center", "")[:80]}, user=request.user)
    return render(request, "deliberation/issue_form.html", {"form": form})


# -- Following an issue -------------------------------------------------------------------------


@login_not_required
@require_GET
def track_lookup(request):
    form = TrackLookupForm(request.GET or None)
    if form.is_bound:
        if not ratelimit.hit(_key("track", request), **LOOKUP_LIMIT):
            return _lookup_limited(request)
        if form.is_valid():
            code = form.cleaned_data["code"]
            if selectors.code_exists(code):
                return redirect("deliberation:track", code=code)
            form.add_error("code", _("没有找到这个查询码，请核对后重新输入。"))
    return render(request, "deliberation/track_lookup.html", {"form": form})


def _tracking_context(request, page, rating_form=None):
    issue = page.issue
    is_submitter = request.user.is_authenticated and issue.submitted_by_id == request.user.pk
    can_rate = issue.status == Issue.Status.RESOLVED and (is_submitter or issue.has_contact_phone)
    if rating_form is not None:
        # A form sent back with errors is shown even if the phone check is what failed.
        can_rate = issue.status == Issue.Status.RESOLVED
    elif can_rate:
        rating_form = RatingForm(need_phone=not is_submitter)
    url = request.build_absolute_uri(issue.get_absolute_url())
    return {
        "issue": issue,
        "events": page.events,
        "photos": page.photos,
        "agenda": page.agenda,
        "is_submitter": is_submitter,
        "is_done": issue.status in (Issue.Status.RESOLVED, Issue.Status.CLOSED),
        "can_rate": can_rate,
        "rating_form": rating_form if can_rate else None,
        "tracking_url": url,
        "qr_svg": _qr_data_uri(url),
    }


@login_not_required
@require_GET
def track(request, code):
    canonical = normalize_code(code)
    if not canonical:
        raise Http404
    if canonical != code:
        return redirect("deliberation:track", code=canonical)
    key = _key("track", request)
    if ratelimit.is_exceeded(key, **LOOKUP_LIMIT):
        return _lookup_limited(request)
    page = selectors.tracking_page(code)
    if page is None:
        # Only misses count: a resident reloading their own page never runs into the limit,
        # a script trying codes does.
        ratelimit.hit(key, **LOOKUP_LIMIT)
        raise Http404
    return render(request, "deliberation/issue_detail.html", _tracking_context(request, page))


def _csrf_refused(request):
    """The CSRF check for a signed-in resident, or None when it passes (or nobody is signed in).

    The rating form is exempt from Django's CSRF middleware so that the anonymous tracking page
    carries no token and can come from the page cache: an anonymous rating proves itself with
    the tracking code and the submitter's phone number, which a forged cross-site request does
    not know. A signed-in submitter rates without the phone, so for them the check stays.
    """
    if not request.user.is_authenticated:
        return None
    return CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {})


@login_not_required
@csrf_exempt
@require_POST
def rate(request, code):
    refused = _csrf_refused(request)
    if refused is not None:
        return refused
    if normalize_code(code) != code:
        # Not a code as stored (NUL and other characters PostgreSQL text refuses included):
        # no issue has it, and there is nothing to redirect a POST to.
        raise Http404
    track_key, key = _key("track", request), _key("rate", request)
    if ratelimit.is_exceeded(track_key, **LOOKUP_LIMIT):
        return _lookup_limited(request)
    issue = Issue.objects.only("pk", "status", "submitted_by").filter(tracking_code=code).first()
    if issue is None:
        ratelimit.hit(track_key, **LOOKUP_LIMIT)
        raise Http404
    if ratelimit.is_exceeded(key, **RATE_LIMIT):
        return _too_many(
            request, _("尝试次数太多了，请一小时后再评价。"), RATE_LIMIT["window_seconds"]
        )
    if issue.status != Issue.Status.RESOLVED:
        messages.error(request, _("这个问题现在不能评价：只有已办结、尚未评价的问题可以评价。"))
        return redirect("deliberation:track", code=code)
    is_submitter = request.user.is_authenticated and issue.submitted_by_id == request.user.pk
    form = RatingForm(request.POST, need_phone=not is_submitter)
    if form.is_valid():
        try:
            rated = services.issue_rate(
                issue=issue,
                satisfaction=form.cleaned_data["satisfaction"],
                comment=form.cleaned_data["comment"],
                user=request.user,
                phone=form.cleaned_data.get("phone", ""),
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, " ".join(exc.messages))
                return redirect("deliberation:track", code=code)
            if "phone" in exc.error_dict:
                ratelimit.hit(key, **RATE_LIMIT)
            _add_errors(form, exc)
        else:
            if rated.status == Issue.Status.REOPENED:
                messages.warning(
                    request, _("感谢您的评价。问题已重新交办，我们会继续跟进并告知进展。")
                )
            else:
                messages.success(request, _("感谢您的评价！"))
            return redirect("deliberation:track", code=code)
    page = selectors.tracking_page(code)
    return render(request, "deliberation/issue_detail.html", _tracking_context(request, page, form))


@require_GET
def my_issues(request):
    page_obj = selectors.my_issues(request.user, page=request.GET.get("page", 1))
    return render(request, "deliberation/my_issues.html", {"page_obj": page_obj})


# -- Meeting results ----------------------------------------------------------------------------


@login_not_required
@require_GET
def meeting_detail(request, pk):
    result = selectors.meeting_result(pk)
    return render(
        request,
        "deliberation/meeting_detail.html",
        {"result": result, "meeting": result.meeting},
    )
