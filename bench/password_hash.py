"""What a login costs the server in password hashing: Django's default PBKDF2 (a million
iterations) against Simpul's Argon2id at OWASP's minimum (kernel/hashers.py).

Prints the median milliseconds of CPU per password check of each, over a few runs, and the
ratio. Issue #13 asks for a whole login under 150 ms. How to run it: bench/README.md.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import PBKDF2PasswordHasher  # noqa: E402

from kernel.hashers import Argon2idHasher  # noqa: E402

RUNS = 15


def cpu_ms(hasher, encoded: str) -> float:
    times = []
    for _ in range(RUNS):
        started = time.process_time()
        assert hasher.verify("simpul-demo-2026", encoded)
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    rows = []
    for hasher in (PBKDF2PasswordHasher(), Argon2idHasher()):
        encoded = hasher.encode("simpul-demo-2026", hasher.salt())
        rows.append((hasher.algorithm, encoded.split("$")[1:4], cpu_ms(hasher, encoded)))
    for algorithm, params, ms in rows:
        print(f"{algorithm:<14} {'$'.join(params)[:40]:<40} {ms:7.1f} ms CPU per check")
    print(f"Argon2id / PBKDF2: {rows[1][2] / rows[0][2]:.2f}")


if __name__ == "__main__":
    main()
