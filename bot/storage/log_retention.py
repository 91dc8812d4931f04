"""Server logs kept for a limited time: each run of the purge moves every `*.log` aside and empties it.

The copy keeps the log's modification time and is deleted once that time is older than the retention
period, so a line stays at most the period plus the interval between two purges (one day). The
servers keep writing to the same, emptied file: they must open it in append mode (`>>` in the run
scripts; nginx does), otherwise they would go on writing at their old offset.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

ROTATED_MARK = ".log."  # app.log -> app.log.20261201-031500


@dataclass
class LogPurge:
    rotated: int = 0
    deleted: int = 0


def purge_logs(directory: Path, keep_days: int, now: float | None = None) -> LogPurge:
    now = now if now is not None else time.time()
    result = LogPurge()
    if not directory.is_dir():
        return result
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    cutoff = now - keep_days * 86400
    for path in sorted(directory.iterdir()):
        if not path.is_file() or path.is_symlink():
            continue
        if path.suffix == ".log":
            if path.stat().st_size == 0:
                continue
            if path.stat().st_mtime < cutoff:  # every line is older than the period: nothing to keep
                result.deleted += 1
            else:
                shutil.copy2(path, path.with_name(f"{path.name}.{stamp}"))
                result.rotated += 1
            with path.open("r+b") as fh:  # emptied in place: a server still writing keeps its file
                fh.truncate(0)
        elif ROTATED_MARK in path.name and path.stat().st_mtime < cutoff:
            path.unlink()
            result.deleted += 1
    return result


def default_log_dirs(var_dir: Path) -> list[Path]:
    """var/log (`make run`) and var/prod/log (`make prod-local` with its default PROD_DIR)."""
    return [var_dir / "log", var_dir / "prod" / "log"]
