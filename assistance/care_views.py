"""Staff pages for beneficiaries, pairings, visits and help programs (帮扶对象、结对、走访).

Every object comes through `centers.scoping`: outside the user's scope is 404, in scope with too
weak a role is 403. Every change goes through one service in `assistance.services`.

Personal data. Lists show masked values only. The full record opens on its own page (and on the
edit form); each GET of those is written to the access log through `beneficiary_view_full` and
is never cached. An export carries names but only masked phone and ID numbers, leaves out
addresses, health notes and the beneficiaries who withdrew their consent, and is written to the
access log through `beneficiaries_export_logged`.
"""

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from assistance import care_selectors as selectors
from assistance import services
from assistance.care_forms import (
    BeneficiaryFilterForm,
    BeneficiaryForm,
    PairingEndForm,
    PairingForm,
    ProgramForm,
    VisitForm,
    duplicate_pairing_message,
)
from assistance.models import Beneficiary, Pairing
from centers import scoping

EXPORT_FORMATS = ("csv", "xlsx")


def _require_staff(request):
    if not scoping.is_staff_member(request.user):
        raise PermissionDenied


def _staff_beneficiary(request, pk, perm="view"):
    return scoping.get_object_for_user(Beneficiary.objects, request.user, perm, pk=pk)


def _staff_pairing(request, pk, perm="view"):
    pairing = (
        Pairing.objects.for_user(request.user)
        .select_related("beneficiary__center", "helper_user", "helper_team")
        .filter(pk=pk)
        .first()
    )
    if pairing is None:
        raise Http404
    if not scoping.has_perm(request.user, perm, pairing.beneficiary.center):
        raise PermissionDenied
    return pairing


def _add_errors(form, exc):
    """Show a service's ValidationError on the form, by field where it names one."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _care_communities(user, perm="change"):
    return [c for c in selectors.care_centers(user, perm) if c.level in selectors.CARE_LEVELS]


# -- Dashboard -----------------------------------------------------------------------------------


@require_GET
def dashboard(request):
    _require_staff(request)
    return render(
        request,
        "assistance/care/dashboard.html",
        {"board": selectors.care_dashboard(request.user), "nav": "dashboard"},
    )


# -- Beneficiaries -------------------------------------------------------------------------------


@require_GET
def beneficiary_list(request):
    _require_staff(request)
    centers = selectors.care_centers(request.user)
    form = BeneficiaryFilterForm(request.GET or None, centers=centers)
    filters = form.filters()
    page_obj = selectors.beneficiary_page(request.user, page=request.GET.get("page", 1), **filters)
    export_query = request.GET.copy()
    export_query.pop("page", None)
    return render(
        request,
        "assistance/care/beneficiary_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "new_centers": [
                c
                for c in centers
                if c.level in selectors.CARE_LEVELS and scoping.has_perm(request.user, "change", c)
            ],
            "export_query": export_query.urlencode(),
            "filtered": any(filters.values()),
            "more_filters": any(filters[k] for k in ("center", "type", "tier", "status")),
            "nav": "beneficiaries",
        },
    )


def _cell(value):
    """A spreadsheet cell that cannot be read as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _export_headers():
    return [
        _("序号"),
        _("所属社区"),
        _("姓名"),
        _("性别"),
        _("出生年份"),
        _("帮扶类型"),
        _("关注等级"),
        _("状态"),
        _("联系电话（部分隐去）"),
        _("身份证号（部分隐去）"),
        _("最近走访"),
    ]


def _export_rows(beneficiaries):
    for i, b in enumerate(beneficiaries, start=1):
        yield [
            _cell(v)
            for v in (
                i,
                b.center.short_name,
                b.name,
                b.get_gender_display(),
                b.birth_year,
                "、".join(t.get_type_display() for t in b.types.all()),
                b.get_tier_display(),
                b.get_status_display(),
                b.masked_phone,
                b.masked_id_number if b.id_number else "",
                b.last_visit_on.isoformat() if b.last_visit_on else "",
            )
        ]


def _export_response(beneficiaries, fmt, *, actor):
    now = timezone.localtime()
    title = _("帮扶对象名单（%(time)s 由 %(who)s 导出；仅供帮扶工作使用，请妥善保管）") % {
        "time": f"{now:%Y-%m-%d %H:%M}",
        "who": actor,
    }
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow([title])
        writer.writerow(_export_headers())
        writer.writerows(_export_rows(beneficiaries))
        response = HttpResponse(
            out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
    else:
        wb = Workbook()
        ws = wb.active
        ws.title = _("帮扶对象")
        ws.append([title])
        ws["A1"].font = Font(bold=True)
        ws.append(_export_headers())
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in _export_rows(beneficiaries):
            ws.append(row)
        ws.freeze_panes = "A3"
        widths = [6, 14, 10, 6, 9, 24, 18, 8, 16, 22, 12]
        for column, width in zip("ABCDEFGHIJK", widths, strict=True):
            ws.column_dimensions[column].width = width
        out = io.BytesIO()
        wb.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="beneficiaries-{now:%Y%m%d}.{fmt}"'
    return response


@never_cache
@require_GET
def beneficiary_export(request, fmt):
    _require_staff(request)
    if fmt not in EXPORT_FORMATS:
        raise Http404
    centers = selectors.care_centers(request.user)
    filters = BeneficiaryFilterForm(request.GET, centers=centers).filters()
    rows = selectors.beneficiary_export_rows(request.user, **filters)
    # The log entry belongs to the center exported (or the top of the user's scope).
    logged_at = filters["center"] or next(iter(scoping.home_centers(request.user)), None)
    if logged_at is None:
        raise PermissionDenied
    services.beneficiaries_export_logged(actor=request.user, center=logged_at, count=len(rows))
    return _export_response(rows, fmt, actor=request.user)


@require_http_methods(["GET", "POST"])
def beneficiary_new(request, slug):
    center = scoping.get_center_for_user(request.user, slug, "change")
    if center.level not in selectors.CARE_LEVELS:
        raise Http404
    form = BeneficiaryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            beneficiary = services.beneficiary_save(
                actor=request.user,
                center=center,
                data=form.service_data(),
                types=form.cleaned_data["types"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已登记帮扶对象。"))
            return redirect("assistance_manage:beneficiary", pk=beneficiary.pk)
    return render(
        request,
        "assistance/care/beneficiary_form.html",
        {"form": form, "center": center, "nav": "beneficiaries"},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def beneficiary_edit(request, pk):
    beneficiary = _staff_beneficiary(request, pk, "change")
    heading = beneficiary.masked_name
    form = BeneficiaryForm(
        request.POST or None,
        instance=beneficiary,
        communities=_care_communities(request.user),
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.beneficiary_save(
                    actor=request.user,
                    center=form.chosen_center() or beneficiary.center,
                    data=form.service_data(),
                    types=form.cleaned_data["types"],
                    beneficiary=beneficiary,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("assistance_manage:beneficiary", pk=beneficiary.pk)
    else:
        # The form shows the full record, so opening it is a full view.
        services.beneficiary_view_full(actor=request.user, beneficiary=beneficiary)
    return render(
        request,
        "assistance/care/beneficiary_form.html",
        {
            "form": form,
            "center": beneficiary.center,
            "beneficiary": beneficiary,
            "heading": heading,
            "nav": "beneficiaries",
        },
    )


@never_cache
@require_GET
def beneficiary_detail(request, pk):
    beneficiary = _staff_beneficiary(request, pk)
    services.beneficiary_view_full(actor=request.user, beneficiary=beneficiary)
    record = selectors.beneficiary_record(beneficiary)
    return render(
        request,
        "assistance/care/beneficiary_detail.html",
        {
            "beneficiary": beneficiary,
            "record": record,
            "can_edit": scoping.has_perm(request.user, "change", beneficiary.center),
            "today": timezone.localdate(),
            "nav": "beneficiaries",
        },
    )


# -- Pairings and visits -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def pairing_new(request, pk):
    beneficiary = _staff_beneficiary(request, pk, "change")
    form = PairingForm(
        request.POST or None,
        beneficiary=beneficiary,
        users=selectors.helper_users(beneficiary.center),
        teams=selectors.helper_teams(beneficiary.center),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.pairing_create(
                actor=request.user, beneficiary=beneficiary, data=form.service_data()
            )
        except IntegrityError:
            # Two people paired the same helper at the same moment: the database refused one.
            form.add_error(None, duplicate_pairing_message())
        except ValidationError as exc:
            if form.already_paired():
                form.add_error(None, duplicate_pairing_message())
            else:
                _add_errors(form, exc)
        else:
            messages.success(request, _("已建立结对。"))
            return redirect("assistance_manage:beneficiary", pk=beneficiary.pk)
    return render(
        request,
        "assistance/care/pairing_form.html",
        {"form": form, "beneficiary": beneficiary, "nav": "beneficiaries"},
    )


@require_POST
def pairing_end(request, pk):
    pairing = _staff_pairing(request, pk, "change")
    form = PairingEndForm(request.POST, pairing=pairing)
    if form.is_valid():
        try:
            services.pairing_end(
                actor=request.user, pairing=pairing, ended_on=form.cleaned_data["ended_on"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("结对已结束：%(helper)s。") % {"helper": pairing.helper})
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("assistance_manage:beneficiary", pk=pairing.beneficiary_id)


@require_http_methods(["GET", "POST"])
def visit_new(request, pk):
    beneficiary = _staff_beneficiary(request, pk, "change")
    pairings = selectors.visit_pairings(beneficiary)
    today = timezone.localdate()
    active = [
        p for p in pairings if p.started_on <= today and (p.ended_on is None or p.ended_on >= today)
    ]
    initial = {"pairing": active[0].pk} if len(active) == 1 else {}
    form = VisitForm(
        request.POST or None,
        initial=initial,
        pairings=pairings,
        programs=selectors.programs_for(beneficiary.center),
        default_helper="" if active else request.user.name,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_log(
                actor=request.user, beneficiary=beneficiary, data=form.service_data()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("走访记录已保存。"))
            return redirect("assistance_manage:beneficiary", pk=beneficiary.pk)
    return render(
        request,
        "assistance/care/visit_form.html",
        {"form": form, "beneficiary": beneficiary, "nav": "beneficiaries"},
    )


# -- Help programs -------------------------------------------------------------------------------


@require_GET
def program_list(request):
    _require_staff(request)
    return render(
        request,
        "assistance/care/program_list.html",
        {
            "page_obj": selectors.program_page(request.user, page=request.GET.get("page", 1)),
            "new_centers": selectors.care_centers(request.user, "change"),
            "nav": "programs",
        },
    )


@require_http_methods(["GET", "POST"])
def program_new(request, slug):
    center = scoping.get_center_for_user(request.user, slug, "change")
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_save(
                actor=request.user, center=center, data=form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("帮扶活动已创建。"))
            return redirect("assistance_manage:program", pk=program.pk)
    return render(
        request,
        "assistance/care/program_form.html",
        {"form": form, "center": center, "nav": "programs"},
    )


@require_GET
def program_detail(request, pk):
    program = (
        selectors.programs_visible_to(request.user).select_related("center").filter(pk=pk).first()
    )
    if program is None:
        raise Http404
    page_obj, figures = selectors.program_visits(
        request.user, program, page=request.GET.get("page", 1)
    )
    in_scope = scoping.has_perm(request.user, "view", program.center)
    return render(
        request,
        "assistance/care/program_detail.html",
        {
            "program": program,
            "page_obj": page_obj,
            "figures": figures,
            "partial": not in_scope,
            "nav": "programs",
        },
    )
