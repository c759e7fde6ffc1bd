from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from centers import scoping, selectors, services
from centers.forms import CONTENT_KINDS, CenterForm, DirectoryFilterForm, ResidentSignupForm
from centers.models import Notification
from centers.sections import account_links, render_center_sections

# -- Public pages ---------------------------------------------------------------------------


@login_not_required
@require_GET
def home(request):
    return render(request, "centers/home.html", {"overview": selectors.district_overview()})


@login_not_required
@require_GET
def center_directory(request):
    streets = selectors.street_choices()
    form = DirectoryFilterForm(request.GET or None, streets=streets)
    filters = form.cleaned_data if form.is_valid() else {}
    page_obj, rows = selectors.center_directory(
        streets=streets,
        q=filters.get("q", ""),
        level=filters.get("level", ""),
        street=filters.get("street", ""),
        page=request.GET.get("page", 1),
    )
    filtered = any(filters.get(k) for k in ("q", "level", "street"))
    return render(
        request,
        "centers/center_list.html",
        {"form": form, "page_obj": page_obj, "rows": rows, "filtered": filtered},
    )


@login_not_required
@require_GET
def center_detail(request, slug):
    page = selectors.center_page(slug)
    return render(
        request,
        "centers/center_detail.html",
        {
            "page": page,
            "center": page.center,
            "sections": render_center_sections(page.center, request),
            "can_edit": scoping.has_perm(request.user, "change", page.center),
        },
    )


# -- Resident accounts ------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def resident_signup(request):
    if request.user.is_authenticated:
        return redirect("account")
    form = ResidentSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.resident_register(
            phone=form.cleaned_data["phone"],
            name=form.cleaned_data["name"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("注册成功，欢迎您！"))
        next_url = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            # Not redirect(): it would take a next= without a slash for a URL name to reverse.
            return HttpResponseRedirect(next_url)
        return redirect("account")
    return render(
        request, "registration/signup.html", {"form": form, "next": request.GET.get("next", "")}
    )


@require_GET
def welcome(request):
    """Where a login lands: staff in their console, residents in their account."""
    return redirect("manage:dashboard" if scoping.is_staff_member(request.user) else "account")


@require_http_methods(["GET", "POST"])
def account(request):
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("account")
    notifications = list(Notification.objects.filter(user=request.user)[:20])
    return render(
        request,
        "registration/account.html",
        {"notifications": notifications, "links": list(account_links)},
    )


@login_not_required
@require_GET
def switch_language(request, code):
    """Remember the visitor's language in a cookie and go back (a preference, not data)."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    # Not redirect(): it would take a next= without a slash for a URL name to reverse (a 500).
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 60 * 60,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


# -- Operations -----------------------------------------------------------------------------


@login_not_required
@require_GET
@cache_control(no_store=True)
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@require_GET
@cache_control(no_store=True)
def readyz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@require_GET
def robots_txt(request):
    return render(request, "robots.txt", content_type="text/plain")


@login_not_required
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
def server_error(request):
    # Rendered without a request context: nothing from the failing request can leak into it.
    return render(None, "500.html", status=500)


# -- Staff console --------------------------------------------------------------------------


def _require_staff(request):
    if not scoping.is_staff_member(request.user):
        raise PermissionDenied


@require_GET
def manage_dashboard(request):
    _require_staff(request)
    q = request.GET.get("q", "")[:50]
    context = selectors.manage_dashboard(request.user, q=q)
    return render(request, "manage/dashboard.html", {**context, "q": q})


@require_GET
def manage_center(request, slug):
    center = scoping.get_center_for_user(request.user, slug, "view")
    context = selectors.manage_center(center)
    context["can_edit"] = scoping.has_perm(request.user, "change", center)
    context["kinds"] = CONTENT_KINDS
    return render(request, "manage/center_manage.html", context)


@require_http_methods(["GET", "POST"])
def manage_center_edit(request, slug):
    center = scoping.get_center_for_user(request.user, slug, "change")
    form = CenterForm(request.POST or None, instance=center)
    if request.method == "POST" and form.is_valid():
        try:
            services.center_update(actor=request.user, center=center, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("中心信息已保存。"))
            return redirect("manage:center", slug=center.slug)
    return render(request, "manage/center_form.html", {"form": form, "center": center})


def _kind(key):
    try:
        return CONTENT_KINDS[key]
    except KeyError:
        raise Http404 from None


def _form_kwargs(kind, center):
    return {"center": center} if kind.key == "teams" else {}


@require_http_methods(["GET", "POST"])
def manage_content_add(request, slug, kind):
    kind = _kind(kind)
    center = scoping.get_center_for_user(request.user, slug, "change")
    form = kind.form(request.POST or None, request.FILES or None, **_form_kwargs(kind, center))
    if request.method == "POST" and form.is_valid():
        try:
            services.content_create(
                actor=request.user,
                center=center,
                model=kind.model,
                data=form.cleaned_data,
                image_field=kind.image_field,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已添加%(kind)s。") % {"kind": kind.label})
            return redirect("manage:center", slug=center.slug)
    return render(
        request, "manage/content_form.html", {"form": form, "center": center, "kind": kind}
    )


@require_http_methods(["GET", "POST"])
def manage_content_edit(request, slug, kind, pk):
    kind = _kind(kind)
    item = scoping.get_object_for_user(
        kind.model.objects, request.user, "change", pk=pk, center__slug=slug
    )
    form = kind.form(
        request.POST or None,
        request.FILES or None,
        instance=item,
        **_form_kwargs(kind, item.center),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.content_update(
                actor=request.user, item=item, data=form.cleaned_data, image_field=kind.image_field
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("manage:center", slug=item.center.slug)
    return render(
        request,
        "manage/content_form.html",
        {"form": form, "center": item.center, "kind": kind, "item": item},
    )


@require_http_methods(["GET", "POST"])
def manage_content_delete(request, slug, kind, pk):
    kind = _kind(kind)
    item = scoping.get_object_for_user(
        kind.model.objects, request.user, "change", pk=pk, center__slug=slug
    )
    if request.method == "POST":
        services.content_delete(actor=request.user, item=item)
        messages.success(request, _("已删除“%(item)s”。") % {"item": item})
        return redirect("manage:center", slug=item.center.slug)
    return render(
        request,
        "manage/content_confirm_delete.html",
        {"item": item, "center": item.center, "kind": kind},
    )
