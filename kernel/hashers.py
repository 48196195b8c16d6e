"""How passwords are stored: Argon2id at the OWASP Password Storage Cheat Sheet's minimum
(19 MiB of memory, two passes, one lane), instead of Django's default PBKDF2 with a million
iterations, which costs a login about a third of a second of server CPU.

Django re-hashes a password with the first hasher of PASSWORD_HASHERS when its owner next logs
in, so accounts stored with PBKDF2 (or with other Argon2 parameters) keep working and move over
one by one; nobody is locked out.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Django's Argon2 (the argon2id variant) with OWASP's minimum parameters."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
