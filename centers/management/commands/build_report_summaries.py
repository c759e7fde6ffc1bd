"""Extend the report sections' monthly summaries to the month that last ended (run daily)."""

import time

from django.core.management.base import BaseCommand

from centers import summaries


class Command(BaseCommand):
    help = (
        "Summarise every report section's months up to the month that last ended, from where "
        "each summary stopped (daily, e.g. at 01:00); --rebuild recomputes every month."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recompute every month")
        parser.add_argument(
            "--section", action="append", default=[], help="only this section (repeatable)"
        )

    def handle(self, *args, rebuild, section, **options):
        unknown = set(section) - set(summaries.summaries)
        if unknown:
            self.stderr.write(f"Unknown sections: {', '.join(sorted(unknown))}")
            return
        for key in section or sorted(summaries.summaries):
            began = time.monotonic()
            written = summaries.build(key, rebuild=rebuild)
            self.stdout.write(
                f"{key}: {written} rows written, summarised through "
                f"{summaries.built_through(key):%Y-%m} ({time.monotonic() - began:.1f} s)"
            )
