"""CPUs, memory and disk space of this machine, for sizing work and refusing what cannot fit (leaf
module)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

__all__ = ["available_cpus", "available_memory", "format_bytes", "free_disk"]


def available_cpus() -> int:
    """CPUs this process may run on (its affinity on Linux), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def available_memory() -> int:
    """Bytes of memory available to new allocations (MemAvailable on Linux)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    try:  # pragma: no cover - not Linux
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        return 2**63 - 1


def free_disk(path: str | Path) -> int:
    """Bytes free on the file system that holds `path` (or its nearest existing parent)."""
    target = Path(path).absolute()
    while not target.exists() and target != target.parent:
        target = target.parent
    return shutil.disk_usage(target).free


def format_bytes(n: float) -> str:
    """``1.5 GB`` style (powers of 1000, as disks are sold)."""
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")  # pragma: no cover
