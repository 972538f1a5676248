"""Settings for the concurrent-login test's server: the real settings, a fast password hasher.

Everything that matters for the test (the SQLite options, the session settings, the middleware)
comes unchanged from ``insats.settings``; only Argon2 is swapped for MD5 so 20 logins at once
do not need 20 × 64 MB of hashing memory on a small test machine.
"""

from insats.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
