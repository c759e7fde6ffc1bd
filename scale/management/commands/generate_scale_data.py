"""`python manage.py generate_scale_data --centers 2000 --years 3 --seed 1`: the benchmark dataset.

A thin wrapper over `scale.generate`. Idempotent: a database that holds only generated data is
emptied and generated afresh, so the same arguments always leave the same rows. A database with
anything else in it (the demo district, real centers or accounts) is refused unless `--force`,
which adds the generated district beside what is there.
"""

import time
from contextlib import contextmanager
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from centers import caching, summaries
from scale import generate


def _date(text):
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(_("日期格式应为 YYYY-MM-DD。")) from exc


class Command(BaseCommand):
    help = (
        "生成城市规模的测试数据（确定性：相同参数得到相同数据）。"
        "数据库中有非生成的数据时拒绝运行，除非指定 --force。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--centers", type=int, default=2000, help=_("中心数量（含区级）"))
        parser.add_argument("--years", type=int, default=3, help=_("数据覆盖的年数"))
        parser.add_argument("--seed", type=int, default=1, help=_("随机种子"))
        parser.add_argument(
            "--anchor",
            type=_date,
            default=None,
            help=_("数据的“今天”（默认本月1日）：活动延续到其后三个月，其余数据截止于此"),
        )
        parser.add_argument(
            "--force", action="store_true", help=_("数据库中已有其他数据时，仍在其旁生成")
        )
        parser.add_argument(
            "--method",
            choices=["auto", "copy", "insert"],
            default="auto",
            help=_("写入方式：PostgreSQL 默认 COPY，其他数据库批量 INSERT"),
        )
        parser.add_argument("--batch-size", type=int, default=None, help=_("每批行数"))

    def handle(self, *args, **options):
        centers, years = options["centers"], options["years"]
        if centers < 3 or years < 1:
            raise CommandError(_("至少需要 3 个中心、1 年。"))
        method = options["method"]
        if method == "auto":
            method = "copy" if connection.vendor == "postgresql" else "insert"
        batch_size = options["batch_size"] or (50_000 if method == "copy" else 5_000)
        anchor = options["anchor"] or timezone.localdate().replace(day=1)
        plan = generate.Plan(centers=centers, years=years)
        self.verbose = options["verbosity"] > 0
        started = time.perf_counter()
        try:
            counts = generate.generate_dataset(
                plan=plan,
                seed=options["seed"],
                anchor=anchor,
                method=method,
                batch_size=batch_size,
                force=options["force"],
                progress=self.progress,
            )
        except generate.Refused as exc:
            raise CommandError(str(exc)) from exc
        # Rows went in by COPY or bulk INSERT, which send no signals: stale pages must go, and
        # the report summaries are counted afresh.
        caching.bump()
        for section in summaries.summaries:
            summaries.build(section, rebuild=True)
        loaded = time.perf_counter()
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Fresh statistics, so the first queries after the load get sensible plans, and a
            # vacuum: the summaries' rebuild leaves dead rows, and freshly copied pages are not
            # yet marked all-visible (index-only scans would read the heap). Measured: the
            # dashboard's help and aid figures 85 -> 54 ms.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        if self.verbose:
            self.report(counts, plan, anchor, method, started, loaded)

    @contextmanager
    def progress(self, label, total):
        """A one-line progress bar on a terminal; a line per quarter otherwise."""
        done = 0
        shown = -1
        tty = self.stdout.isatty()
        started = time.perf_counter()

        def advance(count=1):
            nonlocal done, shown
            done += count
            percent = done * 100 // total
            step = 1 if tty else 25
            if not self.verbose or percent // step == shown // step:
                return
            shown = percent
            bar = "#" * (percent // 5) + "-" * (20 - percent // 5)
            elapsed = time.perf_counter() - started
            line = f"{label} [{bar}] {percent:3d}% {done}/{total} {elapsed:5.0f}s"
            self.stdout.write(f"\r{line}" if tty else line, ending="" if tty else "\n")
            self.stdout.flush()

        yield advance
        if self.verbose and tty:
            self.stdout.write("")

    def report(self, counts, plan, anchor, method, started, loaded):
        total = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                _("已生成 %(rows)s 行：%(method)s，%(seconds).0f 秒（统计信息 %(analyze).0f 秒）。")
                % {
                    "rows": f"{total:,}",
                    "method": method,
                    "seconds": loaded - started,
                    "analyze": time.perf_counter() - loaded,
                }
            )
        )
        for model, count in sorted(counts.items(), key=lambda pair: -pair[1]):
            if count:
                self.stdout.write(f"  {model._meta.label:<32} {count:>10,}")
        self.stdout.write(
            _(
                "规模：%(centers)s 个中心、%(years)s 年，截至 %(anchor)s。"
                "区级管理员 %(phone)s，工作人员密码 %(password)s。"
            )
            % {
                "centers": plan.centers,
                "years": plan.years,
                "anchor": anchor,
                "phone": generate.DISTRICT_ADMIN_PHONE,
                "password": generate.STAFF_PASSWORD,
            }
        )
