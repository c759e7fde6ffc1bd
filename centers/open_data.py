"""The district's yearly figures for the public open-data page (开放数据) and its CSV files.

Every figure is a registered report section's figure for the root center's subtree and a calendar
year (up to today for the current one), so the page agrees with the staff reports and carries a
new app's section with no code here. Sections return aggregates only (counts, sums, rates); this
module adds nothing but a sentence explaining each figure.

The page is the same for every visitor. Anonymous visitors get it from the public page cache
(centers/caching.py); the figures themselves are kept in the shared cache (Redis in production)
per root, year, language and day under the public pages' generation, so that a logged-in visitor
does not cost the sections' fifty-odd queries either, and any committed write shows on the next
view. CACHE_SECONDS bounds their age where the page cache (and so the generation) is off.
"""

import csv
from dataclasses import dataclass
from datetime import date
from io import StringIO

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from centers.annual import (
    display_value,
    place_name,
    plain_value,
    section_figures,
    year_period,
)
from centers.caching import generation
from centers.models import Center

#: Years on the page, the current one included.
OPEN_DATA_YEARS = 3
CACHE_SECONDS = 60 * 60

#: One sentence per figure, by (section key, figure key).
EXPLANATIONS = {
    ("activities", "held"): gettext_lazy(
        "当年实际举办（未取消）的活动场次，周期性活动的每一场都计入。"
    ),
    ("activities", "signups"): gettext_lazy(
        "当年举办的活动场次中确认报名的人次，不含候补和已取消的报名。"
    ),
    ("activities", "attended"): gettext_lazy("当年举办的活动中签到到场的人次。"),
    ("activities", "attendance_rate"): gettext_lazy("到场率＝签到到场人次÷确认报名人次。"),
    ("activities", "participants"): gettext_lazy(
        "参与活动的人次：工作人员清点了现场人数的场次按清点数计，其余按签到人数计。"
    ),
    ("activities", "volunteer_hours"): gettext_lazy("到场志愿者获记的志愿服务时长合计。"),
    ("deliberation", "received"): gettext_lazy(
        "当年提交到居民议事站的诉求件数，含不予受理、合并和尚在办理的。"
    ),
    ("deliberation", "accepted"): gettext_lazy("当年收到的诉求中已被受理的件数。"),
    ("deliberation", "accepted_on_time"): gettext_lazy("在受理时限（1个工作日）内受理的件数。"),
    ("deliberation", "response_rate"): gettext_lazy("响应率＝按时受理件数÷收到诉求件数。"),
    ("deliberation", "resolved"): gettext_lazy(
        "当年收到的诉求中目前已办结的件数；居民不满意而重新办理的，再次办结前不计入。"
    ),
    ("deliberation", "resolution_rate"): gettext_lazy("解决率＝办结件数÷受理件数。"),
    ("deliberation", "rated"): gettext_lazy("居民对办理结果作出评价的件数。"),
    ("deliberation", "satisfied"): gettext_lazy("评价为“满意”或“基本满意”的件数。"),
    ("deliberation", "satisfaction_rate"): gettext_lazy(
        "满意率＝评价为“满意”或“基本满意”的件数÷评价件数。"
    ),
    ("deliberation", "median_days_to_resolve"): gettext_lazy(
        "已办结诉求从提交到办结所用天数的中位数。"
    ),
    ("deliberation", "overdue"): gettext_lazy(
        "数据生成时超过受理或办结期限的诉求件数；这是时点数，与所选年份无关。"
    ),
    ("assistance", "beneficiaries"): gettext_lazy(
        "在当年年底前登记、目前仍在帮扶中的帮扶对象人数。"
    ),
    ("assistance", "active_pairings"): gettext_lazy(
        "年底（当年为今日）仍在进行的党员、志愿者与帮扶对象的结对数。"
    ),
    ("assistance", "on_time_pairings"): gettext_lazy(
        "进行中的结对里，在规定周期内走访过（或刚开始结对）的结对数。"
    ),
    ("assistance", "on_time_visit_rate"): gettext_lazy(
        "按时探访率＝在规定周期（每周、每月或每季度）内走访过的结对数÷进行中的结对数。"
    ),
    ("assistance", "visits"): gettext_lazy("当年走访慰问帮扶对象的次数。"),
    ("assistance", "visited"): gettext_lazy("当年走访慰问覆盖的帮扶对象人数（每人只计一次）。"),
    ("assistance", "distributions"): gettext_lazy("爱心援助站当年发放物资的次数。"),
    ("assistance", "residents_reached"): gettext_lazy(
        "当年受到走访慰问或领取物资的居民人数，每人只计一次。"
    ),
    ("assistance", "donated"): gettext_lazy(
        "爱心援助站当年接收的捐赠物资数量；件、床、袋等不同计量单位直接相加。"
    ),
    ("assistance", "distributed"): gettext_lazy("爱心援助站当年发放的物资数量。"),
    ("assistance", "stock_on_hand"): gettext_lazy(
        "数据生成时各爱心援助站的库存数量；这是时点数，与所选年份无关。"
    ),
}

#: Sentences for the breakdowns, by (section key, figure key prefix); %(item)s is the label's
#: part after "：" (the category, type or tier).
BREAKDOWNS = {
    ("activities", "category_"): gettext_lazy("当年举办的“%(item)s”类活动场次。"),
    ("deliberation", "category_"): gettext_lazy("当年收到的“%(item)s”类诉求件数。"),
    ("assistance", "tier_"): gettext_lazy("关注等级为“%(item)s”的帮扶对象人数。"),
    ("assistance", "type_"): gettext_lazy(
        "属于“%(item)s”的帮扶对象人数；一人可属多种情况，各类相加大于总数。"
    ),
    ("assistance", "donated_"): gettext_lazy("当年接收的“%(item)s”类捐赠物资数量。"),
    ("assistance", "distributed_"): gettext_lazy("当年发放的“%(item)s”类物资数量。"),
}


def explanation(section_key, section_title, figure):
    """One sentence saying what a figure counts; a plain one for figures unknown here."""
    known = EXPLANATIONS.get((section_key, figure.key))
    if known is not None:
        return str(known)
    label = str(figure.label)
    head, _sep, item = label.rpartition("：")
    if section_key == "deliberation" and figure.key.startswith(("child_", "own_")):
        if figure.key.endswith("_received"):
            return _("%(unit)s（含下属中心）当年收到的诉求件数。") % {"unit": head}
        return _("%(unit)s（含下属中心）当年收到、目前已办结的诉求件数。") % {"unit": head}
    for (key, prefix), sentence in BREAKDOWNS.items():
        if key == section_key and figure.key.startswith(prefix):
            return str(sentence) % {"item": item or label}
    return _("“%(section)s”栏目的“%(label)s”，按年度统计。") % {
        "section": section_title,
        "label": label,
    }


def district_root():
    """The district: the first published root of the tree, or None."""
    return Center.objects.published().filter(depth=1).order_by("path").first()


def open_data_years(today=None):
    """The years on the page, newest first."""
    today = today or timezone.localdate()
    return [today.year - n for n in range(OPEN_DATA_YEARS)]


def year_figures(root, year, today=None):
    """Every registered section's figures for the root's subtree and `year`, as SectionFigures
    with plain-text labels; from the cache when another visitor asked since the last write."""
    today = today or timezone.localdate()
    key = (
        f"open-data:v1:{generation()}:{root.pk}:{root.path}:{year}:{get_language()}:"
        f"{today.isoformat()}"
    )
    sections = cache.get(key)
    if sections is None:
        start, end = year_period(year, today)
        sections = section_figures(root, start, end)
        cache.set(key, sections, CACHE_SECONDS)
    return sections


@dataclass(frozen=True)
class YearColumn:
    year: int
    start: date
    end: date
    is_partial: bool


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    explanation: str
    #: The figure's printed value per year, in the order of the page's years.
    values: list


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: list


@dataclass(frozen=True)
class OpenDataPage:
    root: Center | None
    place: str
    years: list
    sections: list


def open_data_page(today=None):
    """The open-data page: a table per section, a row per figure, a column per year.

    One query for the root, then each section's queries per year on a cold cache; none warm.
    """
    today = today or timezone.localdate()
    root = district_root()
    if root is None:
        return OpenDataPage(root=None, place="", years=[], sections=[])
    years = open_data_years(today)
    columns = []
    for year in years:
        start, end = year_period(year, today)
        columns.append(YearColumn(year, start, end, end < date(year, 12, 31)))
    by_year = [year_figures(root, year, today) for year in years]

    sections = []
    for section in by_year[0]:
        per_year = [
            {f.key: f for s in data if s.key == section.key for f in s.figures} for data in by_year
        ]
        rows = [
            Row(
                key=f"{section.key}.{figure.key}",
                label=str(figure.label),
                explanation=explanation(section.key, section.title, figure),
                values=[
                    display_value(figures[figure.key]) if figure.key in figures else "—"
                    for figures in per_year
                ],
            )
            for figure in section.figures
        ]
        sections.append(Section(key=section.key, title=section.title, rows=rows))
    return OpenDataPage(root=root, place=place_name(root), years=columns, sections=sections)


CSV_HEADER = (
    gettext_lazy("年份"),
    gettext_lazy("统计范围"),
    gettext_lazy("统计期间"),
    gettext_lazy("栏目"),
    gettext_lazy("指标代码"),
    gettext_lazy("指标"),
    gettext_lazy("数值"),
    gettext_lazy("单位"),
    gettext_lazy("说明"),
)


def year_csv(year, today=None):
    """(file name, bytes) of one year's figures as CSV, UTF-8 with a BOM so that Excel reads
    the Chinese; None for a year not on the page or a tree with no root.

    Rates are percentages with one decimal (unit "%"); a figure with nothing to count (a rate
    over zero cases) is left empty.
    """
    today = today or timezone.localdate()
    root = district_root()
    if root is None or year not in open_data_years(today):
        return None
    start, end = year_period(year, today)
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow([str(h) for h in CSV_HEADER])
    period = _("%(start)s至%(end)s") % {"start": start.isoformat(), "end": end.isoformat()}
    for section in year_figures(root, year, today):
        for figure in section.figures:
            writer.writerow(
                [
                    year,
                    root.name,
                    period,
                    section.title,
                    f"{section.key}.{figure.key}",
                    figure.label,
                    plain_value(figure),
                    figure.unit,
                    explanation(section.key, section.title, figure),
                ]
            )
    filename = _("%(place)s党群服务中心%(year)s年统计数据.csv") % {
        "place": place_name(root),
        "year": year,
    }
    return filename, ("\ufeff" + out.getvalue()).encode("utf-8")
