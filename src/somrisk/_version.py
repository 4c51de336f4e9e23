"""The installed version of somrisk."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("somrisk")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
    __version__ = "0+unknown"
