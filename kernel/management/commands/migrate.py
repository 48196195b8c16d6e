"""Django's migrate, after adopting a database from before the kernel app (kernel/upgrade.py)."""

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from kernel.upgrade import kernel_adopt


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        if kernel_adopt(connections[options["database"]]) and options["verbosity"] >= 1:
            self.stdout.write("Recorded kernel.0001_initial: its models were in indicators before.")
        return super().handle(*args, **options)
