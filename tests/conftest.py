"""Suite-wide settings.

Hypothesis explores new random examples on every local run (that is how it finds bugs), but CI must
judge the same code the same way twice: with CI set, examples are derived from each test instead.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
