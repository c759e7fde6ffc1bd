"""Attendance sheets as CSV (UTF-8 with BOM, so Excel reads Chinese) and XLSX."""

import csv
import io

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

#: The formats `attendance_sheet` writes.
FORMATS = ("csv", "xlsx")


def _text(value):
    """`value` as a cell Excel shows as text: a leading = + - @ would make it a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _rows(confirmed):
    for i, registration in enumerate(confirmed, start=1):
        user = registration.user
        yield [
            i,
            _text(user.name or ""),
            user.masked_phone,
            _("是") if registration.attended else "",
            timezone.localtime(registration.checked_in_at).strftime("%H:%M")
            if registration.checked_in_at
            else "",
            float(registration.hours_credited),
        ]


def _headers():
    return [_("序号"), _("姓名"), _("手机号码"), _("签到"), _("签到时间"), _("志愿时长（小时）")]


def _filename(occurrence, ext):
    start = timezone.localtime(occurrence.starts_at)
    return f"attendance-{occurrence.pk}-{start:%Y%m%d}.{ext}"


def attendance_sheet(occurrence, confirmed, fmt):
    """The sign-in sheet for an occurrence; phone numbers are masked."""
    start = timezone.localtime(occurrence.starts_at)
    title = _text(f"{occurrence.activity.title} {start:%Y-%m-%d %H:%M}")
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow([title])
        writer.writerow(_headers())
        writer.writerows(_rows(confirmed))
        response = HttpResponse(
            out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        wb = Workbook()
        ws = wb.active
        ws.title = _("签到表")
        ws.append([title])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append(_headers())
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
        for row in _rows(confirmed):
            ws.append(row)
        for row in ws.iter_rows(min_row=3, min_col=6, max_col=6):
            row[0].number_format = "0.0"
        ws.freeze_panes = "A3"
        for column, width in zip("ABCDEF", [6, 14, 16, 8, 10, 16], strict=True):
            ws.column_dimensions[column].width = width
        out = io.BytesIO()
        wb.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{_filename(occurrence, fmt)}"'
    return response
