"""The report framework: periods, what a section tells the dashboard, and the report tables.

The apps register a `centers.sections.ReportSection` each; its `build(center, start, end)`
returns the section's `Figure`s for the subtree of `center` and the dates start..end
(inclusive). The framework lays these figures out and never imports the apps. What it needs to
know beyond `build` a section says in a `ReportSpec`, carried by its build function as the
attribute `report`:

    activity_figures.report = ReportSpec(
        key_figures=("held", "participants", "attendance_rate", "volunteer_hours"),
        rates={"attendance_rate": ("attended", "signups")},
        by_child=activity_figures_by_child,
        by_month=activity_figures_by_month,
        breakdowns=(Breakdown("category_", _("活动类别")),),
    )

(The spec rides on the build function because `centers.sections.ReportSection` has no field
for it; a `spec` field there would be its natural home.)

Rules every section keeps, so that figures agree at every level:

- A figure is *additive* unless it is a rate or is listed in `not_additive`: the value for a
  center is the sum of the values of its direct children and of its own rows ("本级").
- A rate is a ratio of two additive figures of the same section, named in `rates`, so that a
  total is the ratio of the summed numerator and denominator, never an average of rates.
- `by_child(center, start, end)` returns a mapping {branch: [Figure]} where a branch is the
  part of a center path that names a direct child of `center` (`child_branch`), or
  `center.path` itself for the center's own rows. It runs a fixed number of queries, whatever
  the number of children (group by `child_branch(center, "…center__path")`), and answers every
  branch: a branch without data may be missing from the dict only when the mapping supplies
  the figures of nothing on lookup (a `defaultdict`). A section without `by_child` costs one
  `build` per child.
- `by_month(center, start, end)` returns {first day of a month: [Figure]} for every month of
  the period (same lookup rule), for the figures that make sense per month; rates are ratios
  of that month's counts.
"""

import calendar
import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.db.models import (
    CharField,
    DateTimeField,
    DecimalField,
    ExpressionWrapper,
    F,
    Field,
    FloatField,
    IntegerField,
    Value,
)
from django.db.models.functions import Cast, Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centers import summaries
from centers.models import Center
from centers.sections import report_sections

# -- What a section declares ------------------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    """The figures whose key starts with `prefix` (one per category, type …), shown together."""

    prefix: str
    title: str

    @property
    def key(self):
        return self.prefix.strip("_")


@dataclass(frozen=True)
class ReportSpec:
    """What the framework knows about a section's figures beyond `build` (see module doc)."""

    #: The dashboard's columns for the section, in order; additive figures or rates.
    key_figures: tuple = ()
    #: rate key -> (numerator key, denominator key), both additive figures of the section.
    rates: Mapping = field(default_factory=dict)
    #: Figures that do not add up over children (medians, distinct counts across branches).
    not_additive: frozenset = frozenset()
    #: (center, start, end) -> {branch: [Figure]}, in a fixed number of queries.
    by_child: Callable | None = None
    #: `by_child` for the dashboard: only the key figures and the parts of their rates, in
    #: fewer queries (a district's dashboard must not pay for breakdowns it does not show).
    key_by_child: Callable | None = None
    #: (center, start, end) -> {first day of month: [Figure]}, in a fixed number of queries.
    by_month: Callable | None = None
    #: Groups of figures by key prefix, each a table and a bar chart on the section page.
    breakdowns: tuple = ()

    def is_rate(self, figure):
        return figure.key in self.rates or figure.unit == "%"

    def is_additive(self, figure):
        return not self.is_rate(figure) and figure.key not in self.not_additive

    def in_breakdown(self, key):
        return any(key.startswith(b.prefix) for b in self.breakdowns)


def only_key_figures(grouped, spec):
    """`grouped` ({branch: [Figure]}, a defaultdict) cut down to the spec's key figures and the
    parts of its rates: what the dashboard shows and adds up."""
    keys = set(spec.key_figures) | {part for parts in spec.rates.values() for part in parts}

    def cut(figures):
        return [figure for figure in figures if figure.key in keys]

    result = type(grouped)(lambda: cut(grouped.default_factory()))
    result.update({branch: cut(figures) for branch, figures in grouped.items()})
    return result


#: Without a spec the dashboard shows a section's first figures.
DEFAULT_KEY_FIGURE_COUNT = 4


def spec_of(section):
    """The section's `ReportSpec`, or an empty one: every figure but "%" ones additive."""
    return getattr(section.build, "report", None) or ReportSpec()


def child_branch(center, path_field):
    """An expression for the branch of `center` a row lies in: the first (depth + 1) steps of
    the path in `path_field`, which is the path of a direct child of `center`, or `center.path`
    itself for the center's own rows."""
    return Substr(path_field, 1, len(center.path) + Center.steplen)


class LocalMonth(TruncMonth):
    """The month of a datetime in the district's time zone, or of a plain date."""

    def resolve_expression(self, *args, **kwargs):
        copy = super().resolve_expression(*args, **kwargs)
        # A date has no time zone; TruncBase refuses a tzinfo for one.
        copy.tzinfo = (
            timezone.get_default_timezone()
            if isinstance(copy.lhs.output_field, DateTimeField)
            else None
        )
        return copy


def month_of(field_name):
    """An expression for the first instant (or day) of the month of a date or datetime field,
    in the district's time zone."""
    return LocalMonth(field_name)


def as_month(value):
    """A `month_of` value as the date of the first of the month."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value, timezone.get_default_timezone())
        return value.date().replace(day=1)
    return value.replace(day=1)


def months_in(start, end):
    """The first days of the months from `start`'s to `end`'s, inclusive."""
    months = []
    current = start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def by_child_of(center):
    """A grouping (see `aggregate`): rows by the branch of `center` they lie in."""
    return lambda path, when: child_branch(center, path)


def by_month_of():
    """A grouping (see `aggregate`): rows by the month of their date, in the district's zone."""
    return lambda path, when: month_of(when)


def by_center_and_month():
    """A grouping (see `aggregate`): rows by (center id, month of their date), for the monthly
    summaries (centers.summaries). The center id is read beside the path field."""
    return lambda path, when: {
        "report_center": F(path.removesuffix("path") + "id"),
        "report_month": month_of(when),
    }


def aggregate(queryset, group, *, path, when=None, **aggregates):
    """`queryset.aggregate(**aggregates)` as {None: row} when `group` is None; else one row per
    group: {group value: row}. A grouping is a function of the row's center-path field (`path`)
    and date field (`when`) returning the expression to group on (`by_child_of`,
    `by_month_of`). One query either way (a `Batch` of one)."""
    batch = Batch(group)
    result = batch.aggregate(queryset, path=path, when=when, **aggregates)
    batch.run()
    return result


def tally(queryset, group, field_name, value, *, path, when=None):
    """{group value: {value of `field_name`: aggregate `value`}}, in one query (a category
    count per group); `group` as for `aggregate`, None for a single group keyed None."""
    batch = Batch(group)
    result = batch.tally(queryset, field_name, value, path=path, when=when)
    batch.run()
    return result


class Batch:
    """Several aggregates of one report grouping, read in one query (UNION ALL).

    A section's figures come from several tables (sessions and sign-ups; beneficiaries, visits
    and goods), each an aggregate of its own. Queued with `aggregate` and `tally`, they run as
    one statement when `run` is called, which fills in the dicts the two methods returned:

        batch = Batch(by_child_of(center))
        totals = batch.aggregate(held, path="activity__center__path", held=Count("pk"))
        by_category = batch.tally(held, "activity__category", Count("pk"), path=...)
        batch.run()

    The results are exactly those of the module's `aggregate` and `tally`: with no grouping,
    an aggregate answers {None: row} even over no rows, and a tally {None: {…}}. Every part
    selects the same columns (the part's name, the grouping, the tallied item, then as many
    value columns as the widest part, the others NULL); each value is read back as its own
    aggregate's type.
    """

    def __init__(self, group=None):
        self.group = group
        self.parts = []

    def aggregate(self, queryset, *, path, when=None, **aggregates):
        result = {}
        self.parts.append((queryset, path, when, None, aggregates, result))
        return result

    def tally(self, queryset, field_name, value, *, path, when=None):
        result = {None: {}} if self.group is None else {}
        self.parts.append((queryset, path, when, field_name, {"n": value}, result))
        return result

    def run(self):
        if not self.parts:
            return
        width = max(len(aggregates) for *_rest, aggregates, _result in self.parts)
        selects, readers = [], {}
        for index, (queryset, path, when, item, aggregates, result) in enumerate(self.parts):
            name = f"p{index}"
            columns = {"report_part": Value(name)}
            group_names = []
            if self.group is not None:
                expressions = _group_expressions(self.group, path, when)
                group_names = list(expressions)
                columns.update(expressions)
            columns["report_item"] = F(item) if item else _NULL_TEXT
            # Read raw: Django converts a UNION's column by its first part's type (a count
            # would truncate a sum of hours beside it); `_as` converts each value by its own.
            values = {
                f"report_v{i}": ExpressionWrapper(expression, output_field=Field())
                for i, expression in enumerate(aggregates.values())
            }
            values.update({f"report_v{i}": _NULL_NUMBER for i in range(len(values), width)})
            selects.append(queryset.order_by().values(**columns).annotate(**values))
            readers[name] = (group_names, item, list(aggregates), result)
            if self.group is None and not item:
                # An aggregate over no rows is still a row, as `QuerySet.aggregate` gives.
                result[None] = dict.fromkeys(aggregates)
        query = (
            selects[0].union(*selects[1:], all=True).order_by() if len(selects) > 1 else selects[0]
        )
        fields = {
            f"p{index}": [
                expression.resolve_expression(queryset.query).output_field
                for expression in aggregates.values()
            ]
            for index, (queryset, *_rest, aggregates, _result) in enumerate(self.parts)
        }
        for row in query:
            group_names, item, names, result = readers[row["report_part"]]
            key = _group_key(row, group_names) if group_names else None
            values = {
                name: _as(field, row[f"report_v{i}"])
                for i, (name, field) in enumerate(
                    zip(names, fields[row["report_part"]], strict=True)
                )
            }
            if item:
                result.setdefault(key, {})[row["report_item"]] = values["n"]
            else:
                result[key] = values


class _Null(Cast):
    """A typed NULL, which is no column to group on, and whose column's values in the other
    parts of a UNION are read raw (see `Batch.run`)."""

    def get_group_by_cols(self):
        return []

    @property
    def convert_value(self):
        return self._convert_value_noop


#: Typed NULLs for the columns a part leaves empty: PostgreSQL types an untyped NULL in a
#: UNION by its neighbour, as text when both are NULL, and then refuses a number beside it.
_NULL_TEXT = _Null(Value(None), CharField())
_NULL_NUMBER = _Null(Value(None), IntegerField())


def _group_expressions(group, path, when):
    """A grouping's expressions by name: one ("report_group") or several (a dict)."""
    expressions = group(path, when)
    return expressions if isinstance(expressions, dict) else {"report_group": expressions}


def _group_key(row, expressions):
    """A row's group value, popped from it: the value, or a tuple for several expressions."""
    values = tuple(row.pop(name) for name in expressions)
    return values[0] if len(values) == 1 else values


def _as(field, value):
    """A value read through a UNION as the type of the aggregate that gave it: PostgreSQL
    widens a column to the type of its widest part (a count beside a sum of hours comes back
    as a Decimal), and SQLite gives decimals as floats."""
    if value is None:
        return None
    if isinstance(field, IntegerField):
        return int(value)
    if isinstance(field, DecimalField):
        value = value if isinstance(value, Decimal) else Decimal(str(value))
        if field.decimal_places is None:
            return value
        return value.quantize(Decimal(1).scaleb(-field.decimal_places))
    if isinstance(field, FloatField):
        return float(value)
    return value


# -- Periods -----------------------------------------------------------------------------------

#: The earliest date a report may start; nothing in the district is older.
MIN_DATE = date(2000, 1, 1)
#: How many past years the year selector offers (older periods: a custom range).
YEARS_BACK = 10
#: The longest custom period: five years, sixty rows of months.
MAX_DAYS = 5 * 366
PERIOD_FIELDS = ("period", "year", "quarter", "month", "start", "end")
QUARTERS = [
    (1, gettext_lazy("第一季度")),
    (2, gettext_lazy("第二季度")),
    (3, gettext_lazy("第三季度")),
    (4, gettext_lazy("第四季度")),
]


@dataclass(frozen=True)
class Period:
    """The dates start..end (inclusive) a report covers, and how the user chose them."""

    start: date
    end: date
    kind: str = "year"
    params: tuple = ()

    @property
    def label(self):
        if self.kind == "year":
            return _("%(year)s年") % {"year": self.start.year}
        if self.kind == "quarter":
            quarter = (self.start.month - 1) // 3 + 1
            return _("%(year)s年%(quarter)s") % {
                "year": self.start.year,
                "quarter": dict(QUARTERS)[quarter],
            }
        if self.kind == "month":
            return _("%(year)s年%(month)s月") % {
                "year": self.start.year,
                "month": self.start.month,
            }
        return _("%(start)s 至 %(end)s") % {"start": self.start, "end": self.end}

    @property
    def span(self):
        """The dates in words: 2026-01-01 至 2026-12-31."""
        return _("%(start)s 至 %(end)s") % {"start": self.start, "end": self.end}

    @property
    def query(self):
        """The period as URL parameters, to carry through drill-down and export links."""
        return urlencode(self.params)

    @property
    def months(self):
        return months_in(self.start, self.end)


def this_year(today=None):
    """This calendar year so far: from 1 January to today."""
    today = today or timezone.localdate()
    return Period(
        date(today.year, 1, 1),
        today,
        "year",
        (("period", "year"), ("year", today.year)),
    )


class PeriodForm(forms.Form):
    """The period selector: a year, a quarter or a month of a year, or a range of dates.

    Works as a plain GET form; missing fields take this year, quarter or month. A report
    tells what has happened: a year, quarter or month that has not ended runs to today, one
    that has not begun is refused, and so are custom dates after today. Raises no errors for
    an empty form; rejects an end before the start, dates before 2000 and ranges over five
    years.
    """

    KINDS = [
        ("year", gettext_lazy("全年")),
        ("quarter", gettext_lazy("季度")),
        ("month", gettext_lazy("月份")),
        ("custom", gettext_lazy("自定义日期")),
    ]

    period = forms.ChoiceField(label=gettext_lazy("统计周期"), choices=KINDS, required=False)
    year = forms.TypedChoiceField(label=gettext_lazy("年份"), coerce=int, required=False)
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("季度"), choices=QUARTERS, coerce=int, required=False
    )
    month = forms.TypedChoiceField(
        label=gettext_lazy("月份"),
        choices=[(m, gettext_lazy("%(month)s月") % {"month": m}) for m in range(1, 13)],
        coerce=int,
        required=False,
    )
    start = forms.DateField(
        label=gettext_lazy("开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, data=None, *, today=None):
        self.today = today or timezone.localdate()
        if data is not None and not any(data.get(name) for name in PERIOD_FIELDS):
            data = None
        super().__init__(data)
        years = range(self.today.year, self.today.year - YEARS_BACK - 1, -1)
        self.fields["year"].choices = [(y, _("%(year)s年") % {"year": y}) for y in years]
        self.initial = {
            "period": "year",
            "year": self.today.year,
            "quarter": (self.today.month - 1) // 3 + 1,
            "month": self.today.month,
        }
        for name, widget_field in self.fields.items():
            widget_field.widget.attrs["id"] = f"period-{name}"

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        kind = data.get("period") or "year"
        year = data.get("year") or self.today.year
        if kind == "year":
            start, end = date(year, 1, 1), date(year, 12, 31)
            params = {"period": kind, "year": year}
        elif kind == "quarter":
            quarter = data.get("quarter") or self.initial["quarter"]
            start = date(year, 3 * quarter - 2, 1)
            end = date(year, 3 * quarter, calendar.monthrange(year, 3 * quarter)[1])
            params = {"period": kind, "year": year, "quarter": quarter}
        elif kind == "month":
            month = data.get("month") or self.initial["month"]
            start = date(year, month, 1)
            end = date(year, month, calendar.monthrange(year, month)[1])
            params = {"period": kind, "year": year, "month": month}
        else:
            start, end = data.get("start"), data.get("end")
            for name, value in (("start", start), ("end", end)):
                if value is None:
                    self.add_error(name, _("请填写日期。"))
                elif not MIN_DATE <= value <= self.today:
                    self.add_error(
                        name,
                        _("日期应在 %(min)s 至今天（%(max)s）之间。")
                        % {"min": MIN_DATE, "max": self.today},
                    )
            if self.errors:
                return data
            if end < start:
                self.add_error("end", _("结束日期不能早于开始日期。"))
                return data
            if (end - start).days > MAX_DAYS:
                self.add_error("end", _("统计期间最长五年。"))
                return data
            params = {"period": kind, "start": start.isoformat(), "end": end.isoformat()}
        if start > self.today:
            self.add_error(
                "month" if kind == "month" else "quarter" if kind == "quarter" else "year",
                _("所选期间尚未开始。"),
            )
            return data
        data["result"] = Period(start, min(end, self.today), kind, tuple(params.items()))
        return data

    @property
    def result(self):
        """The chosen `Period` (this year for an empty form); None when the form has errors."""
        if not self.is_bound:
            return this_year(self.today)
        return self.cleaned_data.get("result") if self.is_valid() else None


# -- Tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: str = ""
    group: str = ""

    @property
    def is_rate(self):
        return self.unit == "%"


@dataclass
class Row:
    """One line of a table. `kind` is "child", "own", "total", "month" or "item"; a child row
    carries the child center for its drill-down link."""

    label: str
    values: list
    kind: str = "item"
    center: Center | None = None
    texts: list = field(default_factory=list)


def number(value):
    """A figure's value as a plain number for sums and exports (Decimal hours become float)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def display(value, rate=False):
    """A value as the page shows it: rates as percentages with one decimal, "—" for none."""
    value = number(value)
    if value is None:
        return "—"
    if rate:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


@dataclass
class Table:
    """A report table: the page, the CSV and the XLSX export are all made from one of these."""

    id: str
    caption: str
    head: str
    columns: list
    rows: list
    total: Row | None = None
    note: str = ""

    def __post_init__(self):
        for row in self.all_rows:
            row.values = [number(v) for v in row.values]
            row.texts = [
                display(v, c.is_rate) for v, c in zip(row.values, self.columns, strict=True)
            ]

    @property
    def has_rates(self):
        return any(column.is_rate for column in self.columns)

    @property
    def all_rows(self):
        return [*self.rows, *([self.total] if self.total else [])]

    @property
    def groups(self):
        """[(group title, number of columns)] for a header row above the columns, or []."""
        if not any(c.group for c in self.columns):
            return []
        groups = []
        for column in self.columns:
            if groups and groups[-1][0] == column.group:
                groups[-1][1] += 1
            else:
                groups.append([column.group, 1])
        return [tuple(g) for g in groups]

    def value(self, row_kind, column_key):
        """A value by row kind ("total") or label, and column key: for tests and checks."""
        index = [c.key for c in self.columns].index(column_key)
        row = next(r for r in self.all_rows if row_kind in (r.kind, r.label))
        return row.values[index]


# -- Combining figures ---------------------------------------------------------------------------


def by_key(figures):
    return {figure.key: figure for figure in figures}


def _sum(values):
    values = [number(v) for v in values if v is not None]
    return sum(values) if values else None


def _ratio(part, whole):
    return part / whole if part is not None and whole else None


def combine(rows, spec, exact=None):
    """{key: value} over rows of figures ({key: Figure} each): additive figures summed, rates
    as the ratio of summed numerator and denominator; other figures from `exact` (the
    section's own `build` for the whole) when given, else None."""
    rows = list(rows)
    if not rows:
        return {}
    sample = rows[0]
    values = {}
    for key, figure in sample.items():
        if spec.is_additive(figure):
            values[key] = _sum(row[key].value for row in rows if key in row)
    for key in sample:
        if key in spec.rates:
            numerator, denominator = spec.rates[key]
            values[key] = _ratio(values.get(numerator), values.get(denominator))
        elif key not in values:
            values[key] = number(exact[key].value) if exact and key in exact else None
    return values


def _remainder(total, children, spec):
    """The center's own figures ("本级"), for a section without `by_child`: its whole subtree
    less its children, figure by figure."""
    summed = combine(children, spec) if children else {}
    own = {}
    for key, figure in total.items():
        if spec.is_additive(figure):
            own[key] = (number(figure.value) or 0) - (summed.get(key) or 0)
    for key, figure in total.items():
        if key in spec.rates:
            numerator, denominator = spec.rates[key]
            own[key] = _ratio(own.get(numerator), own.get(denominator))
        elif key not in own:
            own[key] = number(figure.value) if not children else None
    return {key: dataclasses.replace(total[key], value=value) for key, value in own.items()}


def branches(section, center, children, start, end, *, key_only=False):
    """{branch path: {key: Figure}} for every direct child and the center itself ("本级");
    with `key_only`, from the section's `key_by_child` when it has one."""
    spec = spec_of(section)
    paths = [child.path for child in children]
    by_child = (key_only and spec.key_by_child) or spec.by_child
    if by_child is not None:
        grouped = by_child(center, start, end)
        return {path: by_key(grouped[path]) for path in [*paths, center.path]}
    rows = {child.path: by_key(section.build(child, start, end)) for child in children}
    total = by_key(section.build(center, start, end))
    rows[center.path] = _remainder(total, list(rows.values()), spec)
    return rows


def _branch_rows(center, children, per_branch):
    """Rows for the children, then the center's own row ("本级", or just the center's name
    for a center without children); `per_branch[path]` gives a row's values."""
    rows = [
        Row(child.short_name, per_branch(child.path), kind="child", center=child)
        for child in children
    ]
    own = _("本级（%(name)s）") % {"name": center.short_name} if children else center.short_name
    rows.append(Row(own, per_branch(center.path), kind="own", center=center))
    return rows


RATES_NOTE = gettext_lazy("合计行的比率由各行的分子、分母分别相加后计算，不是各行比率的平均。")
MONTHS_NOTE = gettext_lazy(
    "合计行的比率由各月的分子、分母分别相加后计算；不能按月相加的指标（如中位数）不计合计。"
)


def total_label():
    return _("合计")


# -- The dashboard -------------------------------------------------------------------------------


@dataclass
class Dashboard:
    center: Center
    children: list
    table: Table
    sections: list

    @property
    def tables(self):
        return [self.table]


def key_columns(section, sample):
    """The dashboard's columns for a section: its key figures, as they appear in `sample`."""
    spec = spec_of(section)
    keys = spec.key_figures or list(sample)[:DEFAULT_KEY_FIGURE_COUNT]
    return [
        Column(f"{section.key}.{key}", str(sample[key].label), sample[key].unit, str(section.title))
        for key in keys
        if key in sample
    ]


def dashboard(center, period):
    """One table: a row per direct child of `center`, its own row ("本级") and the total, with
    the key figures of every registered section as columns grouped by section.

    Queries: one for the children, one for the state of the monthly summaries
    (centers.summaries), then each section's `key_by_child` or `by_child` (a fixed number) or,
    for a section without either, one `build` per child and one for the center.
    """
    children = center.children_in_order
    columns, per_section, sections = [], [], []
    with summaries.reading():
        rows_by_section = [
            (section, branches(section, center, children, period.start, period.end, key_only=True))
            for section in report_sections
        ]
    for section, rows in rows_by_section:
        spec = spec_of(section)
        section_columns = key_columns(section, rows[center.path])
        totals = combine(rows.values(), spec)
        columns += section_columns
        per_section.append((section_columns, rows, totals))
        sections.append(section)

    def per_branch(path):
        values = []
        for section_columns, rows, _totals in per_section:
            values += [rows[path][c.key.split(".", 1)[1]].value for c in section_columns]
        return values

    totals = []
    for section_columns, _rows, section_totals in per_section:
        totals += [section_totals.get(c.key.split(".", 1)[1]) for c in section_columns]
    table = Table(
        id="summary",
        caption=(_("%(center)s各下级中心主要指标") if children else _("%(center)s主要指标"))
        % {"center": center.short_name},
        head=_("中心"),
        columns=columns,
        rows=_branch_rows(center, children, per_branch),
        # A center without children has one row, its own: no total to add.
        total=Row(total_label(), totals, kind="total", center=center) if children else None,
    )
    table.note = RATES_NOTE if children and table.has_rates else ""
    return Dashboard(center=center, children=children, table=table, sections=sections)


# -- A section's page ----------------------------------------------------------------------------


@dataclass
class Block:
    """A table of a section's page, the charts drawn from it, and its heading."""

    heading: str
    table: Table
    charts: list = field(default_factory=list)
    drill: bool = False
    side: bool = False


@dataclass
class SectionReport:
    section: object
    center: Center
    figures: list
    blocks: list

    @property
    def tables(self):
        return [block.table for block in self.blocks]

    @property
    def charts(self):
        """Every chart's data, for the page's `json_script` block."""
        return [chart for block in self.blocks for chart in block.charts]


def _common_prefix_label(labels):
    """Labels without a shared "类型：" in front, when all of them have it."""
    heads = {label.partition("：")[0] for label in labels if "：" in label}
    if len(heads) == 1 and all("：" in label for label in labels):
        return [label.partition("：")[2] for label in labels]
    return labels


def _chart_values(values, rate):
    result = []
    for value in values:
        value = number(value)
        result.append(None if value is None else round(value * 100, 1) if rate else value)
    return result


def _month_label(month, period):
    if period.start.year == period.end.year:
        return _("%(month)s月") % {"month": month.month}
    return _("%(year)s年%(month)s月") % {"year": month.year, "month": month.month}


def section_report(section, center, period):
    """The section's figures for the center: by child, by month, and each breakdown, with a
    chart for the months and for each breakdown.

    Queries: the section's `build` for the center, its `by_child` and its `by_month` (fixed
    numbers each), one for the children and one for the state of the monthly summaries.
    """
    with summaries.reading():
        return _section_report(section, center, period)


def _section_report(section, center, period):
    spec = spec_of(section)
    start, end = period.start, period.end
    figures = section.build(center, start, end)
    exact = by_key(figures)
    children = center.children_in_order
    rows = branches(section, center, children, start, end)
    own = rows[center.path]
    columns = [
        Column(key, str(figure.label), figure.unit)
        for key, figure in own.items()
        if not spec.in_breakdown(key)
    ]
    totals = combine(rows.values(), spec, exact)
    blocks = [
        Block(
            heading=_("各下级中心") if children else _("本中心"),
            drill=True,
            table=Table(
                id="by-child",
                caption=(
                    _("%(section)s：%(center)s各下级中心")
                    if children
                    else _("%(section)s：%(center)s")
                )
                % {"section": section.title, "center": center.short_name},
                head=_("中心"),
                columns=columns,
                rows=_branch_rows(
                    center, children, lambda path: [rows[path][c.key].value for c in columns]
                ),
                total=Row(total_label(), [totals.get(c.key) for c in columns], kind="total")
                if children
                else None,
                note=RATES_NOTE if children and any(c.is_rate for c in columns) else "",
            ),
        )
    ]
    if spec.by_month is not None:
        monthly = spec.by_month(center, start, end)
        month_rows = [by_key(monthly[month]) for month in period.months]
        month_columns = [
            Column(key, str(figure.label), figure.unit) for key, figure in month_rows[0].items()
        ]
        month_totals = combine(month_rows, spec)
        table = Table(
            id="by-month",
            caption=_("%(section)s：每月趋势") % {"section": section.title},
            head=_("月份"),
            columns=month_columns,
            rows=[
                Row(
                    _month_label(month, period),
                    [row[c.key].value for c in month_columns],
                    kind="month",
                )
                for month, row in zip(period.months, month_rows, strict=True)
            ],
            total=Row(total_label(), [month_totals.get(c.key) for c in month_columns], "total"),
            note=MONTHS_NOTE if any(c.is_rate for c in month_columns) else "",
        )
        blocks.append(Block(_("每月趋势"), table, _month_charts(table, spec)))
    for breakdown in spec.breakdowns:
        items = [f for f in figures if f.key.startswith(breakdown.prefix)]
        if not items:
            continue
        labels = _common_prefix_label([str(f.label) for f in items])
        table = Table(
            id=f"breakdown-{breakdown.key}",
            caption=_("%(section)s：按%(breakdown)s")
            % {"section": section.title, "breakdown": breakdown.title},
            head=str(breakdown.title),
            columns=[Column("value", _("数量"))],
            rows=[Row(label, [f.value]) for label, f in zip(labels, items, strict=True)],
        )
        chart = {
            "id": f"chart-{table.id}",
            "table": table.id,
            "type": "hbar",
            "title": table.caption,
            "labels": [row.label for row in table.rows],
            "percent": False,
            "series": [{"label": _("数量"), "values": [row.values[0] for row in table.rows]}],
        }
        heading = _("按%(breakdown)s") % {"breakdown": breakdown.title}
        blocks.append(Block(heading, table, [chart], side=True))
    return SectionReport(section=section, center=center, figures=figures, blocks=blocks)


def _month_charts(table, spec):
    """A bar chart of the month's key counts (or all its counts) and a line chart of its rates."""
    labels = [row.label for row in table.rows]
    counts = [
        (i, c) for i, c in enumerate(table.columns) if not c.is_rate and c.key not in spec.rates
    ]
    key_counts = [(i, c) for i, c in counts if c.key in spec.key_figures]
    rates = [(i, c) for i, c in enumerate(table.columns) if c.is_rate or c.key in spec.rates]
    charts = []
    for chart_id, title, chosen, percent in (
        ("counts", _("每月数量"), key_counts or counts, False),
        ("rates", _("每月比率"), rates, True),
    ):
        if not chosen:
            continue
        charts.append(
            {
                "id": f"chart-{table.id}-{chart_id}",
                "table": table.id,
                "type": "line" if percent else "bar",
                "title": title,
                "labels": labels,
                "percent": percent,
                "series": [
                    {
                        "label": column.label,
                        "values": _chart_values([row.values[i] for row in table.rows], percent),
                    }
                    for i, column in chosen
                ],
            }
        )
    return charts
