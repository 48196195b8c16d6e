"""Load the demo world and print a login for each role (a thin wrapper over services.demo_seed)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.module_loading import import_string

from ...services.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Load or refresh the demo regions, organisation and users; print their logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--password", default=DEMO_PASSWORD)
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args, password: str, quiet: bool, **options) -> None:
        with translation.override("en"):
            logins = demo_seed(password=password)
            # Apps built on the kernel (SPM data, meetings, planning) add their demo in order.
            for path in settings.SIMPUL_DEMO_SEEDERS:
                import_string(path)()
        if quiet:
            return
        width = max(len(username) for username, _, _ in logins)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Log in at http://127.0.0.1:8000/"))
        self.stdout.write(f"Password for every demo user: {password}")
        for username, role, area in logins:
            self.stdout.write(f"  {username.ljust(width)}  {role:<24} {area}")
        self.stdout.write(
            "Every puskesmas has its own head, kapus.<puskesmas> (kapus.babirik, "
            "kapus.pekauman...), with the same password."
        )
        if settings.SIMPUL_2FA_REQUIRED_ROLES:
            # Two-factor sign-in (kernel/twofactor.py): these roles set it up at their first login.
            required = settings.SIMPUL_2FA_REQUIRED_ROLES
            roles = ", ".join(required)
            admin = " (the system admin: admin)" if "system_admin" in required else ""
            self.stdout.write(
                f"Two-factor sign-in is required for {roles}{admin}: at the first login they "
                "set it up with an authenticator app on a phone (Google Authenticator, "
                "Microsoft Authenticator, FreeOTP...)."
            )
