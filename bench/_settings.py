"""Settings of the HTTP benchmarks: the app's own, plus the bench-only URLs
(two baseline views) and, when ``BENCH_STATIC_ROOT`` is set, a temporary
STATIC_ROOT for ``collectstatic``. Needs the repo root and ``bench/`` on the path."""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "_urls"
if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
