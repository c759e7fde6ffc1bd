"""`python manage.py sync_occurrences`: create the next year's occurrences of recurring activities.

Run daily (cron or a systemd timer). Idempotent: occurrences that exist are left alone.
"""

from django.core.management.base import BaseCommand

from activities import services
from activities.models import Activity


class Command(BaseCommand):
    help = "为重复活动补足未来一年的场次（可重复运行）。"

    def handle(self, *args, **options):
        ids = list(Activity.objects.exclude(recurrence="").values_list("pk", flat=True))
        created = 0
        for done, pk in enumerate(ids, start=1):
            created += services.activity_extend_occurrences(activity_id=pk)
            if options["verbosity"] > 1 and done % 100 == 0:
                self.stdout.write(f"{done}/{len(ids)}")
        if options["verbosity"]:
            self.stdout.write(
                f"{len(ids)} recurring activities checked, {created} occurrences created."
            )
