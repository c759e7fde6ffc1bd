"""`python manage.py restore <backup folder>`: restore a backup into an empty database.

Checks the files against the manifest first, refuses a database that has tables (and a media
folder that has files) unless --force, then verifies row counts and the stock ledger checksum.
`make restore BACKUP=…` runs this command.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from centers.backups import BackupError, database_from_url, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup folder (made by `backup`) into an empty database and MEDIA_ROOT, then "
        "verify every table's row count and the stock ledger checksum against its manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="The backup folder, e.g. var/backups/20250101T020000Z.")
        parser.add_argument(
            "--database-url",
            default=None,
            help="Restore into this database (a URL like DATABASE_URL), not the configured one.",
        )
        parser.add_argument(
            "--media-root",
            default=None,
            help="Restore the media files here instead of MEDIA_ROOT.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Restore even if the database has tables or the media folder has files: the "
                "backup's tables and files replace those of the same name; others stay."
            ),
        )

    def handle(self, *args, folder, database_url, media_root, force, **options):
        try:
            if database_url:
                db = database_from_url(database_url)
            else:
                db = connections[DEFAULT_DB_ALIAS].settings_dict
                # The restore writes through its own connections; ours must not hold the
                # database open (a restore into a fresh database is the usual case).
                connections[DEFAULT_DB_ALIAS].close()
            restore_backup(
                folder=folder,
                db=db,
                media_root=media_root or settings.MEDIA_ROOT,
                force=force,
                log=self.stdout.write,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Restored {folder}"))
