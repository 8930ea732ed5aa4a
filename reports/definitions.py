"""The weekly report's definitions, word for word as the README states them
(``tests/reports/test_definitions_text.py`` checks they are the same text).
``reports/selectors.py`` computes exactly this."""

DEFINITIONS = """\
- **Week**: an ISO week in the business time zone (`TIME_ZONE`), Monday 00:00 to
  the next Monday 00:00 local time, so a week with a daylight-saving change has
  167 or 169 hours. Default: the last complete week. A range of weeks runs from
  the first week's Monday to the end of the last week.
- **`conversations`**: conversations whose first inbound message falls in the
  week; **`needing_reply`**: those of them that require a reply (as classified at
  report time); **`answered`**: those of them with a first response (a reply the
  network accepted) at report time; **`response_rate`** = answered / needing_reply.
- **`first_response_seconds`**: over *answered*, first response time minus first
  inbound time in calendar seconds: `p50`, `p90` (linear interpolation, as
  PostgreSQL's `percentile_cont`, rounded to whole seconds, halves up) and
  `mean`; `business_p50` and `business_p90` the same in business seconds, the
  time the conversation's SLA calendar was open (calendar seconds without a policy).
- **`sla`**: SLA outcomes (first response, next response, resolution) whose due
  time falls in the week: a deadline counts once its clock stopped (answered or
  resolved), met if it stopped by the due time, breached otherwise; overall, by
  channel, by category (of the policy that set the deadline), by assignee (who
  held the conversation when the clock stopped) and by team (its channels; a
  channel two teams attend counts for both); `compliance` = met / (met +
  breached). Deadlines still running past due are in *unanswered*.
- **`unanswered`**: conversations that need a reply and are owed one now (an
  inbound message not yet answered, not resolved), waiting since before the
  week's end, at report time: the count, how many for more than 24 hours, the
  oldest's waiting-since and the 50 oldest (links).
- **`volume_by_hour`**: inbound messages by local weekday (Monday first) × hour,
  7 × 24. **`off_hours`**: the share of inbound messages outside business hours
  (the opening hours of the calendar named by `MOSTRADOR_REPORT_HOURS_CALENDAR`,
  else of the first calendar that is not 24/7), and the median first response
  of the conversations whose first message arrived inside vs outside them.
- **Per gestor**: replies sent in the week, conversations resolved in the week,
  median first response (over the week's conversations whose first reply they
  sent), SLA compliance (as assignee), and `quality_score`: the mean score (0–1)
  of the quality reviews of their replies sent in the week (`quality_reviews`
  of them), `null` with none.
- **`crises`**: each crisis alert detected in the week, when, and the time from
  detection to the first reply sent in its conversations (the silence); late
  when longer than an hour, or no reply yet. `first_public_reply_at` is the
  first public one.
- **`listening`**: mentions per watch in the week and the week before; share of
  voice: a brand's or competitor's mentions over all brand and competitor mentions.
- **`hidden`**: inbound messages hidden on the network in the week (hidden, never
  deleted), with who hid them and why.
- **`ratings`**: reviews (Google Business Profile) written in the week and in
  each week of the trend, by the time the network gives: how many and their
  average stars (1 to 5, as last edited); reviews deleted on the network are
  left out.
- **`previous`**: the headline figures of the week before (of as many weeks
  before, for a range); **`trend`**: the same figures for each of the last 4
  weeks (as many as the range has, up to 12).
- **The "counter attended" light** of a channel: red when a question has waited
  more than 24 hours or fewer than 80 % of those needing a reply were answered;
  amber below 95 % answered or 90 % of deadlines met; green otherwise; grey with
  nothing to attend.
"""
