"""Where the emulator's own surfaces live beside Front's API paths."""

from __future__ import annotations

# The control plane, the inspector (below it) and nothing of Front's API start with this.
CONTROL_PREFIX = "/_emulator"
INSPECTOR_PREFIX = CONTROL_PREFIX + "/ui"
# Methods a browser may send cross-site that change nothing here (and that CORS lets pages send freely):
# the guard lets them through whatever their Origin.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
