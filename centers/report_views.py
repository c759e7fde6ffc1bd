"""Report pages: a center's dashboard by child center, a section's page, and their exports.

Both pages answer `?center=<slug>` (any center in the user's scope, else 404; the top of the
user's scope by default), the period fields of `reports.PeriodForm`, and `?format=csv|xlsx`
with `table=<id>` to export a table (XLSX without `table`: every table of the page, a sheet
each). Every export is written to the access log.
"""

import csv
import io
import re
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from centers import reports, scoping, selectors
from centers.models import AuditEntry
from centers.sections import report_sections
from centers.services import audit

EXPORT_FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report_center(request):
    """(The center the report is about, the user's home centers): `?center=` if in the user's
    scope (else 404), or the top of the user's scope. Users without a staff role get 403."""
    if not scoping.is_staff_member(request.user):
        raise PermissionDenied
    homes = scoping.home_centers(request.user)
    slug = request.GET.get("center", "")
    if slug:
        return scoping.get_center_for_user(request.user, slug, "view"), homes
    if not homes:
        raise Http404
    return homes[0], homes


def _context(request, center, form, **extra):
    period = form.result
    params = {"center": center.slug, **dict(period.params if period else ())}
    user = request.user
    return {
        "center": center,
        "form": form,
        "period": period,
        "query": urlencode(params),
        "period_query": period.query if period else "",
        # Ancestors above the user's scope are not theirs to open: no crumb for them.
        "crumbs": [a for a in selectors.ancestors_of(center) if scoping.has_perm(user, "view", a)],
        "sections": list(report_sections),
        **extra,
    }


@never_cache
@require_GET
def dashboard(request):
    center, homes = _report_center(request)
    form = reports.PeriodForm(request.GET)
    period = form.result
    if period is None:
        return render(
            request, "reports/dashboard.html", _context(request, center, form), status=400
        )
    result = reports.dashboard(center, period)
    if "format" in request.GET:
        return _export(request, center, period, result.tables)
    # The user's other home centers: those the center shown is not in.
    others = [home for home in homes if not center.path.startswith(home.path)]
    return render(
        request,
        "reports/dashboard.html",
        _context(request, center, form, dashboard=result, other_homes=others),
    )


@never_cache
@require_GET
def section(request, key):
    try:
        registered = report_sections.items[key]
    except KeyError:
        raise Http404 from None
    center, _homes = _report_center(request)
    form = reports.PeriodForm(request.GET)
    period = form.result
    context = _context(request, center, form, section=registered)
    if period is None:
        return render(request, "reports/section.html", context, status=400)
    result = reports.section_report(registered, center, period)
    if "format" in request.GET:
        return _export(request, center, period, result.tables)
    spec = reports.spec_of(registered)
    figures = reports.by_key(result.figures)
    highlights = [
        (figure, reports.display(figure.value, spec.is_rate(figure)))
        for key in spec.key_figures
        if (figure := figures.get(key)) is not None
    ]
    return render(
        request,
        "reports/section.html",
        {**context, "report": result, "highlights": highlights},
    )


# -- Exports -------------------------------------------------------------------------------------


def _text(value):
    """`value` as a cell Excel shows as text: a leading = + - @ would make it a formula."""
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _export(request, center, period, tables):
    fmt = request.GET.get("format")
    if fmt not in EXPORT_FORMATS:
        raise Http404
    table_id = request.GET.get("table", "")
    if table_id:
        tables = [table for table in tables if table.id == table_id]
        if not tables:
            raise Http404
    elif fmt == "csv":
        tables = tables[:1]
    title = _("%(center)s %(period)s（%(span)s）") % {
        "center": center.name,
        "period": period.label,
        "span": period.span,
    }
    audit(
        actor=request.user,
        center=center,
        action=AuditEntry.Action.EXPORT,
        obj=center,
        summary=_("导出报表（%(format)s）：%(period)s %(tables)s")
        % {
            "format": fmt.upper(),
            "period": period.label,
            "tables": "、".join(table.caption for table in tables),
        },
    )
    if fmt == "csv":
        response = HttpResponse(_csv(title, tables[0]), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(_xlsx(title, tables), content_type=XLSX_TYPE)
    name = "-".join(
        [
            "report",
            center.slug,
            f"{period.start:%Y%m%d}",
            f"{period.end:%Y%m%d}",
            *([table_id] if table_id else []),
        ]
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _header(column):
    return f"{column.group}：{column.label}" if column.group else column.label


def _csv(title, table):
    """UTF-8 with a byte order mark, so that Excel reads the Chinese; rates as on the page."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_text(title)])
    writer.writerow([_text(table.caption)])
    writer.writerow([_text(table.head), *(_text(_header(c)) for c in table.columns)])
    for row in table.all_rows:
        writer.writerow(
            [
                _text(row.label),
                *(
                    "" if value is None else text if column.is_rate else value
                    for value, text, column in zip(
                        row.values, row.texts, table.columns, strict=True
                    )
                ),
            ]
        )
    if table.note:
        writer.writerow([_text(table.note)])
    return out.getvalue().encode("utf-8")


def _sheet_title(caption, taken):
    title = re.sub(r"[\[\]:*?/\\]", "", caption)[:28] or "Sheet"
    candidate, n = title, 2
    while candidate in taken:
        candidate, n = f"{title[:26]}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _number_format(table, index):
    column = table.columns[index]
    if column.is_rate:
        return "0.0%"
    values = [row.values[index] for row in table.all_rows]
    return "0.0" if any(isinstance(v, float) and v != int(v) for v in values) else "0"


def _xlsx(title, tables):
    """One sheet per table: title, caption, header rows in bold and frozen, then the rows and
    the total in bold; rates as numbers formatted 0.0%."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken = set()
    generated = _("导出时间：%(time)s") % {"time": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.caption, taken))
        sheet.append([_text(title)])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([_text(table.caption), None, generated])
        header_rows = []
        if table.groups:
            sheet.append([None, *(_text(c.group) for c in table.columns)])
            row = sheet.max_row
            column = 2
            for _group, span in table.groups:
                if span > 1:
                    sheet.merge_cells(
                        start_row=row,
                        start_column=column,
                        end_row=row,
                        end_column=column + span - 1,
                    )
                column += span
            header_rows.append(row)
        sheet.append([_text(table.head), *(_text(c.label) for c in table.columns)])
        header_rows.append(sheet.max_row)
        for row in header_rows:
            for cell in sheet[row]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        first_data = sheet.max_row + 1
        for row in table.all_rows:
            sheet.append([_text(row.label), *row.values])
            if row.kind == "total":
                for cell in sheet[sheet.max_row]:
                    cell.font = Font(bold=True)
        for index in range(len(table.columns)):
            number_format = _number_format(table, index)
            for (cell,) in sheet.iter_rows(
                min_row=first_data, min_col=index + 2, max_col=index + 2
            ):
                cell.number_format = number_format
            sheet.column_dimensions[get_column_letter(index + 2)].width = 14
        sheet.column_dimensions["A"].width = 22
        sheet.freeze_panes = sheet.cell(row=first_data, column=2)
        if table.note:
            sheet.append([])
            sheet.append([_text(table.note)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
