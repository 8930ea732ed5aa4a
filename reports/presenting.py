"""The report in words and tables: the plain-language summary, durations, and
the tables the page, the e-mail and the CSV downloads share."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Below this share of deadlines met, a channel is named in the summary.
SUMMARY_COMPLIANCE = 0.90


def duration(seconds: float | int | None) -> str:
    """``3725`` → ``1 h 2 min``; ``None`` → ``—``."""
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


def summary(report: dict[str, Any]) -> list[dict[str, str]]:
    """What needs attention, most urgent first, in the active language; or one line saying all is well."""
    lines: list[dict[str, str]] = []
    unanswered = report["unanswered"]
    if unanswered["over_24h"]:
        lines.append(
            {
                "level": "bad",
                "text": ngettext(
                    "%(n)s question has waited more than 24 hours for an answer.",
                    "%(n)s questions have waited more than 24 hours for an answer.",
                    unanswered["over_24h"],
                )
                % {"n": unanswered["over_24h"]},
            }
        )
    for crisis in report["crises"]:
        if crisis["late"]:
            text = (
                _("Crisis «%(subject)s»: %(time)s without a reply after it was detected.")
                % {"subject": crisis["subject"], "time": duration(crisis["silence_seconds"])}
                if crisis["first_reply_at"]
                else _("Crisis «%(subject)s»: still no reply since it was detected.") % {"subject": crisis["subject"]}
            )
            lines.append({"level": "bad", "text": text})
    worst = [row for row in report["sla"]["by_channel"] if row["compliance"] is not None]
    if worst and worst[0]["compliance"] < SUMMARY_COMPLIANCE:
        lines.append(
            {
                "level": "warn",
                "text": _("Worst compliance: %(channel)s, %(percent)s of deadlines met.")
                % {"channel": worst[0]["name"], "percent": percent(worst[0]["compliance"])},
            }
        )
    off = report["off_hours"]
    inside, outside = off["median_first_response_inside"], off["median_first_response_outside"]
    if outside is not None and outside > 3600 and (inside is None or outside > 2 * inside):
        lines.append(
            {
                "level": "warn",
                "text": _(
                    "Nights and weekends: outside business hours the first answer takes %(outside)s (median), "
                    "against %(inside)s inside."
                )
                % {"outside": duration(outside), "inside": duration(inside)},
            }
        )
    rate, before = report["response_rate"], report["previous"]["response_rate"]
    if rate is not None and before is not None and rate < before - 0.05:
        lines.append(
            {
                "level": "warn",
                "text": _("%(now)s of the questions were answered, down from %(before)s the week before.")
                % {"now": percent(rate), "before": percent(before)},
            }
        )
    if not lines:
        lines.append(
            {
                "level": "good",
                "text": _("Every counter was attended: %(rate)s answered, first answer in %(p50)s (median).")
                % {
                    "rate": percent(rate),
                    "p50": duration(report["first_response_seconds"]["p50"]),
                },
            }
        )
    return lines


def _v(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


TABLES = ["channels", "gestores", "sla", "unanswered", "volume", "trend", "crises", "listening", "hidden", "ratings"]


def table(report: dict[str, Any], name: str) -> tuple[list[str], list[list[Any]]]:
    """One of ``TABLES`` as a header and rows; raises KeyError for an unknown name."""
    if name == "channels":
        keys = ["id", "name", "light", "conversations", "needing_reply", "answered", "response_rate"]
        keys += ["first_response_p50", "unanswered", "unanswered_over_24h", "sla_met", "sla_breached", "sla_compliance"]
        return keys, [[_v(row[k]) for k in keys] for row in report["channels"]]
    if name == "gestores":
        keys = ["id", "name", "replies", "resolved", "first_responses", "median_first_response"]
        keys += ["sla_met", "sla_breached", "sla_compliance", "quality_score", "quality_reviews"]
        return keys, [[_v(row[k]) for k in keys] for row in report["gestores"]]
    if name == "sla":
        rows = []
        for group in ["by_metric", "by_channel", "by_category", "by_assignee", "by_team"]:
            for row in report["sla"][group]:
                rows.append([group[3:], _v(row["id"]), row["name"], row["met"], row["breached"], _v(row["compliance"])])
        return ["group", "id", "name", "met", "breached", "compliance"], rows
    if name == "unanswered":
        keys = ["id", "channel", "contact", "subject", "waiting_since", "url"]
        return keys, [[_v(row[k]) for k in keys] for row in report["unanswered"]["items"]]
    if name == "volume":
        days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        return ["day", *[str(h) for h in range(24)]], [
            [day, *counts] for day, counts in zip(days, report["volume_by_hour"], strict=True)
        ]
    if name == "trend":
        keys = ["week", "conversations", "needing_reply", "answered", "response_rate", "first_response_p50"]
        keys += ["sla_met", "sla_breached", "sla_compliance"]
        return keys, [[_v(row[k]) for k in keys] for row in report["trend"]]
    if name == "crises":
        keys = ["id", "subject", "detected_at", "conversations", "first_reply_at", "first_public_reply_at"]
        keys += ["silence_seconds", "late"]
        return keys, [[_v(row[k]) for k in keys] for row in report["crises"]]
    if name == "listening":
        keys = ["id", "name", "kind", "mentions", "previous"]
        return keys, [[_v(row[k]) for k in keys] for row in report["listening"]["watches"]]
    if name == "hidden":
        keys = ["message_id", "conversation_id", "channel", "hidden_at", "hidden_by", "reason", "text"]
        return keys, [[_v(row[k]) for k in keys] for row in report["hidden"]]
    if name == "ratings":
        keys = ["week", "start", "reviews", "average_stars"]
        return keys, [[_v(row[k]) for k in keys] for row in report["ratings"]["weeks"]]
    raise KeyError(name)


def csv_text(report: dict[str, Any], names: list[str]) -> str:
    """The tables as CSV: one table plain; several, each after a ``# name`` line."""
    out = io.StringIO()
    writer = csv.writer(out)
    for n, name in enumerate(names):
        header, rows = table(report, name)
        if len(names) > 1:
            if n:
                writer.writerow([])
            writer.writerow([f"# {name}"])
        writer.writerow(header)
        writer.writerows(rows)
    return out.getvalue()
