"""Where the vendored front-end libraries live under ``static/vendor``."""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings


@functools.cache
def chartjs_path() -> str:
    """Chart.js is vendored with its version in the directory name (static/vendor/chartjs-4.x);
    the newest one there is used, found once per process."""
    for base in settings.STATICFILES_DIRS:
        found = sorted(Path(base).glob("vendor/chartjs-*/chart.umd.min.js"))
        if found:
            return found[-1].relative_to(base).as_posix()
    raise LookupError("Chart.js is missing from static/vendor/chartjs-*/")
