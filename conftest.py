"""Repository-wide test settings.

Under CI (``CI`` set, as ``.ci/run`` runs) hypothesis derandomizes: the property tests explore the
same examples on every run, so a red build always means a change, never an unlucky draw. Local runs
keep exploring new examples.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
