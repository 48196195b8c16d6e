"""Import Kemendagri regions (and population) from CSV files: all or nothing."""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ...services import regions_import_file

MAX_PRINTED_ERRORS = 200


class ProgressBar:
    """Text progress bar: redrawn in place on a terminal, a line every 10% otherwise."""

    width = 30

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.in_place = stream.isatty()
        self.last_tenth = -1
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        tenth = int(fraction * 10)
        if not self.in_place and tenth == self.last_tenth:
            return
        self.last_tenth = tenth
        filled = int(fraction * self.width)
        text = _("[%(bar)s] %(percent)s%% %(done)s/%(total)s rows") % {
            "bar": "#" * filled + "." * (self.width - filled),
            "percent": f"{int(fraction * 100):3d}",
            "done": number_format(done, force_grouping=True),
            "total": number_format(total, force_grouping=True),
        }
        if self.in_place:
            self.stream.write("\r" + text, ending="")
            self.stream.flush()
            self.drawn = True
        else:
            self.stream.write(text)

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("")


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # A property: argparse needs a real string, translated when the parser is built.
        return _(
            "Import Kemendagri regions from a kode,nama CSV file, and optionally their population "
            "from a kode,nama,pria,wanita,total file. Re-running updates names and parents. "
            "Any error in either file means nothing is saved."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument("wilayah_csv", help=_("regions file (kode,nama)"))
        parser.add_argument(
            "--population",
            metavar="PENDUDUK_CSV",
            help=_("population file (kode,nama,pria,wanita,total)"),
        )
        parser.add_argument(
            "--year",
            type=int,
            default=2025,
            help=_("year of the population figures (default 2025)"),
        )

    def handle(self, *args, wilayah_csv: str, population: str | None, year: int, **options):
        bar = ProgressBar(self.stderr)
        started = time.perf_counter()
        try:
            summary = regions_import_file(
                path=wilayah_csv, population_path=population, year=year, progress=bar
            )
        except ValidationError as error:
            bar.finish()
            messages = error.messages
            for message in messages[:MAX_PRINTED_ERRORS]:
                self.stderr.write(message)
            if len(messages) > MAX_PRINTED_ERRORS:
                self.stderr.write(
                    _("... and %(count)s more")
                    % {"count": number_format(len(messages) - MAX_PRINTED_ERRORS)}
                )
            raise CommandError(
                ngettext(
                    "Nothing was imported: %(count)s error. Fix it and run the command again.",
                    "Nothing was imported: %(count)s errors. Fix them and run the command again.",
                    len(messages),
                )
                % {"count": number_format(len(messages), force_grouping=True)}
            ) from None
        bar.finish()
        self.stdout.write(self._summary(summary, seconds=time.perf_counter() - started, year=year))

    def _summary(self, summary: dict[str, dict[str, int]], *, seconds: float, year: int) -> str:
        levels = ("provinces", "districts", "subdistricts", "villages")

        def count(key: str) -> str:
            return number_format(sum(summary[key].values()), force_grouping=True)

        def changes(keys) -> dict[str, str]:
            return {
                kind: number_format(sum(summary[key][kind] for key in keys), force_grouping=True)
                for kind in ("created", "updated", "unchanged")
            }

        text = _(
            "Imported %(provinces)s provinces, %(districts)s districts, %(subdistricts)s "
            "subdistricts and %(villages)s villages (%(created)s new, %(updated)s changed, "
            "%(unchanged)s unchanged) in %(seconds)s s."
        ) % {
            **{key: count(key) for key in levels},
            **changes(levels),
            "seconds": number_format(seconds, decimal_pos=1),
        }
        if "population" in summary:
            text += "\n" + _(
                "Population %(year)s: %(count)s regions (%(created)s new, %(updated)s changed, "
                "%(unchanged)s unchanged)."
            ) % {"year": year, "count": count("population"), **changes(["population"])}
        return text
