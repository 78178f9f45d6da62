"""The log as the settings ask for it: a level, and readable lines or one JSON object a line.

Set once by the command line at start (``logging.level``, ``logging.format``), so a process manager
or a log shipper gets what it was told to expect from the first line on.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

from config import LoggingSettings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that narrate every request or migration step at INFO; shown from WARNING unless DEBUG is asked.
NOISY = ("apscheduler", "alembic", "httpx")


class JsonFormatter(logging.Formatter):
    """One JSON object a record: time (UTC, ISO 8601), level, logger, message, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(settings: LoggingSettings, *, stream: TextIO | None = None) -> None:
    """Replace the root logger's handlers with one writing to ``stream`` (stderr) as configured."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.format == "json" else logging.Formatter(TEXT_FORMAT))
    level = logging.getLevelName(settings.level.upper())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.NOTSET if level == logging.DEBUG else logging.WARNING)
