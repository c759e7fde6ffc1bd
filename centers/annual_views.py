"""The annual work report (staff, by scope) and the public open-data page with its CSV files."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from centers import annual, annual_docx, scoping, services
from centers.models import AuditEntry
from centers.open_data import open_data_page, year_csv

# -- Annual work report ------------------------------------------------------------------------


def _report_for(request, slug, year):
    """The report of a center in the user's scope: 403 for non-staff, 404 outside the scope
    or for a year with no report."""
    if not scoping.is_staff_member(request.user):
        raise PermissionDenied
    center = scoping.get_center_for_user(request.user, slug, "view")
    if year not in annual.report_years():
        raise Http404
    return annual.kept_annual_report(center=center, year=year)


@require_GET
@never_cache
def annual_report(request, slug, year):
    report = _report_for(request, slug, year)
    return render(request, "reports/annual.html", {"report": report})


@require_GET
@never_cache
def annual_report_docx(request, slug, year):
    report = _report_for(request, slug, year)
    content = annual_docx.report_docx(report)
    services.audit(
        actor=request.user,
        center=report.center,
        action=AuditEntry.Action.EXPORT,
        obj=report.center,
        summary=_("导出年度工作报告（Word）：%(title)s") % {"title": report.title},
    )
    response = HttpResponse(content, content_type=annual_docx.DOCX_MIME)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{report.title}.docx"
    )
    return response


# -- Open data ---------------------------------------------------------------------------------
# The same for every visitor: the public page cache (centers/caching.py) keeps them for
# anonymous visitors until the next write.


@login_not_required
@require_GET
def open_data(request):
    return render(request, "reports/open_data.html", {"page": open_data_page()})


@login_not_required
@require_GET
def open_data_csv(request, year):
    result = year_csv(year)
    if result is None:
        raise Http404
    filename, content = result
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response
