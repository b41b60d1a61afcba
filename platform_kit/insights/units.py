"""Durations and dates as a person writes and reads them (`7d`, `36h`, `2024-05-01`)."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta

_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
WEEK = 604800


def parse_duration(text: str) -> int:
    """Seconds of `90m`, `36h`, `7d`, `2w` (ValueError otherwise)."""
    found = _DURATION_RE.match(text)
    if not found or float(found.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a duration such as 36h, 7d or 2w")
    return int(float(found.group(1)) * _SECONDS[found.group(2)])


def parse_since(text: str, now: datetime | None = None) -> int:
    """Unix seconds of an ISO date or time (UTC unless it says) or of a duration ago (`90d`)."""
    try:
        return int((now or datetime.now(UTC)).timestamp()) - parse_duration(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is neither a date (2024-05-01, 2024-05-01T12:00) nor a duration ago (90d)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def format_duration(seconds: float | None) -> str:
    """`3d 4h`, `5h 12m`, `40m`, `0m`; `-` for None."""
    if seconds is None or math.isnan(seconds):
        return "-"
    minutes = int(round(seconds / 60))
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m"


def iso_time(seconds: int) -> str:
    """`2024-05-01T12:00:00Z`."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def week_start(seconds: int) -> date:
    """Monday of the ISO week (UTC) holding the moment."""
    day = datetime.fromtimestamp(seconds, UTC).date()
    return day - timedelta(days=day.weekday())


def weeks_between(start: int, end: int) -> list[date]:
    """Every week's Monday from the week of `start` to the week of `end`, inclusive."""
    first, last = week_start(start), week_start(min(max(start, end), start + 20 * 366 * 86400))
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
