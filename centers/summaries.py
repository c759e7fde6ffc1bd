"""Monthly report summaries: the dashboard's additive figures per center and ended month.

A district's dashboard adds up a year of its whole subtree: at city scale a hundred thousand
activity sessions with a third of a million sign-ups, a hundred thousand issues, the visits
and the goods handed out. Each report section may register a `Summary`: a model with one row
per center and *ended* month holding the section's additive key figures, and a `compute`
function that counts them from the section's own rows. For a period, the dashboard reads the
summarised months from the summary (a few thousand rows) and the rest live: the current month,
a month that has ended since the last build, a partial month at the start of a custom period.

Months are summarised from `MIN_MONTH` up to `SummaryState.built_through`. The summary is kept
right on write: a write that touches a summarised month calls `refresh(section, cells)`, which
recomputes exactly those (center, month) cells. Each cell is recomputed under a
transaction-scoped advisory lock on PostgreSQL, so two writers of one cell take turns and the
second one's count sees the first one's rows (every statement reads what was committed when it
began). Writers read the state row FOR SHARE, so a build that extends the summary waits for
them, and they for it. Writes to the current or a future month (almost all of them: sign-ups
for coming sessions, new issues) cost nothing.

`python manage.py build_report_summaries` extends every summary to the month that last ended
(run it daily, e.g. from cron at 01:00; a month not yet built is simply read live);
`--rebuild` recomputes everything.
"""

import contextlib
import contextvars
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from centers import caching
from centers.models import SummaryState

#: The first month any summary covers; nothing in a district is older (centers.reports.MIN_DATE).
MIN_MONTH = date(2000, 1, 1)


@dataclass(frozen=True)
class Summary:
    """A section's monthly summary.

    `compute(center_ids, first, last)` counts the figures of the centers `center_ids` (None:
    every center) for the months first..last (firsts of months, inclusive) from the section's
    rows, and returns {(center_id, month): {column: value}} for the cells that have any data.
    """

    section: str
    model: type
    columns: tuple
    compute: Callable


#: Summaries by section key, filled by the apps in their AppConfig.ready().
summaries = {}


def register(summary):
    summaries[summary.section] = summary
    return summary


# -- Months ------------------------------------------------------------------------------------


def first_of(day):
    return day.replace(day=1)


def next_month(month):
    return (month + timedelta(days=32)).replace(day=1)


def last_day(month):
    return next_month(month) - timedelta(days=1)


def this_month(today=None):
    return first_of(today or timezone.localdate())


def last_ended_month(today=None):
    return first_of(this_month(today) - timedelta(days=1))


# -- Reading -----------------------------------------------------------------------------------


#: Every section's `built_through`, read once for a whole report (see `reading`).
_states = contextvars.ContextVar("summary_states", default=None)


@contextlib.contextmanager
def reading():
    """Within the block, `split` reads every section's state from one query made on entry:
    a report that asks several sections costs one query for all of them."""
    token = _states.set(dict(SummaryState.objects.values_list("section", "built_through")))
    try:
        yield
    finally:
        _states.reset(token)


def built_through(section):
    """The last summarised month of the section, or None when nothing is built. One query,
    none within `reading()`."""
    states = _states.get()
    if states is not None:
        return states.get(section)
    return (
        SummaryState.objects.filter(section=section).values_list("built_through", flat=True).first()
    )


@dataclass(frozen=True)
class Split:
    """A period cut into the months read from the summary (`months`: (first, last) or None)
    and the dates read live (`live`: a list of (start, end), inclusive, at most two)."""

    months: tuple | None
    live: list


_live_only = contextvars.ContextVar("summaries_live_only", default=False)


@contextlib.contextmanager
def live_only():
    """Within the block, `split` answers every period live, as if nothing were summarised:
    the figures a summary must agree with (tests, checks of a rebuilt summary)."""
    token = _live_only.set(True)
    try:
        yield
    finally:
        _live_only.reset(token)


def split(section, start, end):
    """Which part of start..end (inclusive) the section's summary answers. One query, none
    within `reading()` or `live_only()`."""
    if _live_only.get():
        return Split(None, [(start, end)])
    built = built_through(section)
    if built is None:
        return Split(None, [(start, end)])
    first = start if start.day == 1 else next_month(start)
    end_month = first_of(end)
    last = end_month if end == last_day(end_month) else first_of(end_month - timedelta(days=1))
    last = min(last, built)
    if first < MIN_MONTH or first > last:
        return Split(None, [(start, end)])
    live = []
    if start < first:
        live.append((start, first - timedelta(days=1)))
    if last_day(last) < end:
        live.append((next_month(last), end))
    return Split((first, last), live)


def queue(batch, section, center, part):
    """Queue on `batch` (a centers.reports.Batch) the sums of the section's summary rows in
    the subtree of `center` for the summarised months of `part`, grouped by the batch's
    grouping (rows by their center's path and month); returns the dict the batch fills in
    ({group: {column: sum}}), empty when the period has no summarised month."""
    if not part.months:
        return {}
    summary = summaries[section]
    first, last = part.months
    return batch.aggregate(
        summary.model.objects.filter(
            center__path__startswith=center.path, month__gte=first, month__lte=last
        ),
        path="center__path",
        when="month",
        **{column: Sum(column) for column in summary.columns},
    )


def totals(section, *parts):
    """{group: {column: value}}, zeros for a missing group: the sum of `parts` (dicts such as
    `queue` fills in, and the live rest a section counts beside it)."""
    counts = defaultdict(lambda: dict.fromkeys(summaries[section].columns, 0))
    for rows in parts:
        add(counts, rows)
    return counts


def add(counts, rows):
    """Add `rows` ({branch: {column: value}}) into `counts`, value by value."""
    for branch, row in rows.items():
        for name, value in row.items():
            counts[branch][name] += value or 0


# -- Writing -----------------------------------------------------------------------------------


def _lock_key(*parts):
    """A 32-bit key for PostgreSQL's advisory locks."""
    return zlib.crc32(":".join(str(p) for p in parts).encode()) - 2**31


def _advisory_lock(*parts):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key("summary", *parts)])


def _write(summary, values, cells):
    """Replace the summary rows of exactly `cells` by their counts in `values`."""
    model = summary.model
    by_month = {}
    for center_id, month in cells:
        by_month.setdefault(month, set()).add(center_id)
    for month, center_ids in by_month.items():
        model.objects.filter(month=month, center_id__in=center_ids).delete()
    model.objects.bulk_create(
        [
            model(center_id=center_id, month=month, **values[center_id, month])
            for center_id, month in sorted(cells)
            if (center_id, month) in values
        ],
        batch_size=5000,
    )


def refresh(section, cells, *, today=None):
    """Recount the (center id, month) `cells` of the section that lie in summarised months,
    and mark the years of ended months as changed (`year_version`).

    Call it inside the transaction of the write, after the write. Cells of the current or a
    future month are skipped without a query.
    """
    current = this_month(today)
    cells = {(center_id, first_of(month)) for center_id, month in cells if center_id}
    cells = {cell for cell in cells if cell[1] < current}
    if not cells:
        return
    for year in {month.year for _center, month in cells}:
        # After commit: a report rendered meanwhile must not be kept under the new version.
        transaction.on_commit(lambda year=year: _bump_year(year))
    summary = summaries[section]
    with transaction.atomic():
        built = _built_through_for_share(section)
        cells = sorted(cell for cell in cells if built is not None and cell[1] <= built)
        if not cells:
            return
        for center_id, month in cells:
            _advisory_lock(section, center_id, month)
        months = [month for _center, month in cells]
        values = summary.compute({c for c, _m in cells}, min(months), max(months))
        _write(summary, values, cells)


def _built_through_for_share(section):
    """`built_through`, read FOR SHARE on PostgreSQL: a build waits for this transaction."""
    if connection.vendor != "postgresql":
        return built_through(section)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT built_through FROM {SummaryState._meta.db_table} WHERE section = %s FOR SHARE",
            [section],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def build(section, *, through=None, rebuild=False, today=None):
    """Summarise the section's months up to `through` (default: the month that last ended),
    from where the summary stopped, or from `MIN_MONTH` with `rebuild`. Returns the number of
    summary rows written."""
    summary = summaries[section]
    through = first_of(through or last_ended_month(today))
    with transaction.atomic():
        state = SummaryState.objects.select_for_update().filter(section=section).first()
        start = MIN_MONTH if rebuild or state is None else next_month(state.built_through)
        if start > through and not rebuild:
            return 0
        summary.model.objects.filter(month__gte=start).delete()
        values = summary.compute(None, start, through) if start <= through else {}
        summary.model.objects.bulk_create(
            [
                summary.model(center_id=center_id, month=month, **counts)
                for (center_id, month), counts in sorted(values.items())
            ],
            batch_size=5000,
        )
        SummaryState.objects.update_or_create(
            section=section, defaults={"built_through": through, "built_at": timezone.now()}
        )
    return len(values)


def drop(section):
    """Forget the section's summary: every month is read live again."""
    with transaction.atomic():
        SummaryState.objects.filter(section=section).delete()
        summaries[section].model.objects.all().delete()


# -- Versions of ended years -------------------------------------------------------------------


def _year_key(year):
    return f"summaries:year-version:{year}"


def year_version(year):
    """A number that changes whenever figures of the (ended) `year` change: the key under which
    what is computed from that year may be kept (centers.annual keeps its reports)."""
    return caching.current_generation(_year_key(year))


def _bump_year(year):
    caching.bump_generation(_year_key(year))
