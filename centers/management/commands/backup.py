"""`python manage.py backup`: dump the database and the media files into a timestamped folder.

See centers/backups.py for what the folder holds. `make backup` runs this command.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from centers.backups import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format; SQLite: a copy of the file) and MEDIA_ROOT "
        "into a new timestamped folder under BACKUP_DIR, with a manifest to verify them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            default=None,
            help="Folder that receives the backup folder (default: the BACKUP_DIR setting).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")

    def handle(self, *args, dir, database, **options):
        backup_dir = dir or settings.BACKUP_DIR
        try:
            folder = make_backup(
                db=connections[database].settings_dict,
                backup_dir=backup_dir,
                media_root=settings.MEDIA_ROOT,
                log=self.stdout.write,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}"))
