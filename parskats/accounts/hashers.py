"""How passwords are stored: Argon2id at the configuration OWASP's Password Storage Cheat Sheet
recommends (19 MiB of memory, 2 passes, 1 lane), not Django's (100 MiB, 2 passes, 8 lanes).

Why: a login is the most expensive request this site serves. With Django's figures one check cost
about 230–270 ms of CPU on a 2-core server, so the logins of a deadline morning (every reporter at
once) queued every other page behind them; at OWASP's they cost about 27 ms. One lane also keeps a
login on one core. The memory cost stays what makes Argon2 expensive to guess on graphics cards.
A hash stored with other parameters still verifies and is stored again with these on its owner's
next login (Django's `must_update`), as the algorithm's name is Django's own ("argon2").
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19456  # KiB: 19 MiB
    parallelism = 1
