"""What the command line shows of an import: a progress line and a final summary."""

from __future__ import annotations

import time
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TextIO

BAR_WIDTH = 10
MAX_ISSUES_SHOWN = 10
PLAIN_LINE_INTERVAL = 1.0


def count(resource: Mapping[str, Any], key: str) -> int:
    value = resource.get(key)
    return int(value) if isinstance(value, int | float) else 0


def progress_text(resource: Mapping[str, Any]) -> str:
    done = count(resource, "chunks_done")
    total = count(resource, "chunks_total")
    filled = min(BAR_WIDTH, round(BAR_WIDTH * done / total)) if total else 0
    bar = "#" * filled + "." * (BAR_WIDTH - filled)
    return (
        f"chunk {done} of {total or '?'} [{bar}] "
        f"created {count(resource, 'clients_created')} · "
        f"updated {count(resource, 'clients_updated')} · "
        f"skipped {count(resource, 'rows_skipped')}"
    )


class ProgressLine:
    """Redraws one line in place on a terminal; elsewhere prints a line at most every second."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._redraw = stream.isatty()
        self._shown = ""
        self._shown_at = 0.0

    def show(self, resource: Mapping[str, Any], *, final: bool = False) -> None:
        text = progress_text(resource)
        if text == self._shown:
            return
        if self._redraw:
            self._stream.write("\r" + text.ljust(len(self._shown)))
        elif final or time.monotonic() - self._shown_at >= PLAIN_LINE_INTERVAL:
            self._stream.write(text + "\n")
        else:
            return
        self._stream.flush()
        self._shown, self._shown_at = text, time.monotonic()

    def close(self) -> None:
        if self._redraw and self._shown:
            self._stream.write("\n")
            self._stream.flush()


def money(amount: Any, currency: Any) -> str:
    try:
        value = f"{Decimal(str(amount)):,.2f}"
    except (InvalidOperation, ValueError):
        value = "?" if amount is None else str(amount)
    return f"{currency} {value}" if currency else value


def summary_text(resource: Mapping[str, Any]) -> str:
    currency = resource.get("currency")
    lines = [
        f"Import {resource.get('id')} completed: {resource.get('file_name') or '(unnamed file)'}",
        f"  rows      {count(resource, 'total_rows')} total · "
        f"{count(resource, 'rows_skipped')} skipped · {count(resource, 'rows_failed')} failed",
        f"  clients   {count(resource, 'clients_created')} created · "
        f"{count(resource, 'clients_updated')} updated",
        f"  revenue   {money(resource.get('total_revenue'), currency)} total · "
        f"{money(resource.get('lost_revenue'), currency)} lost",
    ]
    without_amount = count(resource, "purchases_without_amount")
    if without_amount:
        lines.append(f"  amounts   {without_amount} purchase{'s' if without_amount != 1 else ''}"
                     " had no amount (the file has no amount column): in no revenue")
    return "\n".join(lines + issue_lines(resource.get("issues") or []))


def issue_lines(issues: list[Mapping[str, Any]]) -> list[str]:
    if not issues:
        return []
    shown = issues[:MAX_ISSUES_SHOWN]
    heading = f"  issues ({len(shown)} of {len(issues)}):"
    return [heading] + [issue_line(issue) for issue in shown]


def issue_line(issue: Mapping[str, Any]) -> str:
    row = issue.get("row_number", "?")
    return f"    row {row}  {issue.get('code', '')}  {issue.get('message', '')}"
