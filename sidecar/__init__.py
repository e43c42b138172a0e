"""The live-push sidecar: tells browsers when public/manifest.json changes (docs/live-protocol.md)."""
from sidecar.server import Sidecar, run_sidecar

__all__ = ["Sidecar", "run_sidecar"]
