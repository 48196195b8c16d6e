"""Run one heavy hostile file through the reader in this process and print figures as JSON.

    python -m tests.hostile.probe NAME

Prints {"name", "outcome", "seconds", "peak_mb"}: peak RSS of the whole process (ru_maxrss),
the reader only, no database. tests/hostile and bench/imports.py run it in a child process so
that one file's peak does not hide another's.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time


def main(name: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from kernel.imports.reader import FileRefused, Workbook
    from tests.hostile import files

    data = files.HEAVY[name]("Data")
    start = time.perf_counter()
    try:
        workbook = Workbook(data, name="probe.xlsx")
        del data
        count = sum(1 for _row in workbook.rows("Data", max_rows=50_001, max_columns=40))
        outcome = f"read {count} rows"
    except FileRefused as refused:
        outcome = "refused: " + str(refused)[:300]
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {"name": name, "outcome": outcome, "seconds": round(seconds, 2), "peak_mb": peak_mb()}
        )
    )


def peak_mb() -> int:
    """This process's peak RSS. VmHWM belongs to this program alone; ru_maxrss (the fallback)
    on Linux starts from the parent's peak at fork, so a child of pytest would report pytest's."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


if __name__ == "__main__":
    main(sys.argv[1])
