"""core.dates writes what Django's filters write, in every language and distance."""

from datetime import timedelta

import pytest
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template import Context, Template
from django.utils import timezone, translation

from core import dates
from core.dates import PageDates

DISTANCES = [
    timedelta(seconds=0),
    timedelta(seconds=30),
    timedelta(seconds=59),
    timedelta(seconds=61),
    timedelta(minutes=59, seconds=59),
    timedelta(hours=3, minutes=7),
    timedelta(hours=23, minutes=59),
    timedelta(days=1, hours=2),
    timedelta(days=9, hours=5, minutes=30),
    timedelta(days=27, hours=23),
    timedelta(days=29),
    timedelta(days=95, hours=4),
    timedelta(days=800),
]


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("zone", ["Europe/Madrid", "America/Mexico_City", "UTC"])
def test_short_and_iso_write_what_the_date_filter_writes(language, zone):
    now = timezone.now()
    template = Template('{{ value|date:"j M Y, H:i" }}|{{ value|date:"c" }}')
    with translation.override(language), timezone.override(zone):
        page = PageDates(now=now)
        for delta in DISTANCES:
            for value in (now - delta, now + delta):
                short, iso = template.render(Context({"value": value})).split("|")
                assert (page.short(value), page.iso(value)) == (short, iso)


@pytest.mark.parametrize("language", ["es", "en"])
def test_natural_writes_what_naturaltime_writes_past_and_future(language):
    dates._natural.clear()
    with translation.override(language):
        for _ in range(2):  # the second round is answered from what the first remembered
            page = PageDates()
            for delta in DISTANCES:
                for value in (page.now - delta, page.now + delta):
                    assert page.natural(value) == naturaltime(value), (language, delta)


def test_natural_remembers_per_language():
    dates._natural.clear()
    value = timezone.now() - timedelta(hours=5)
    with translation.override("es"):
        spanish = PageDates().natural(value)
    with translation.override("en"):
        english = PageDates().natural(value)
    assert spanish.startswith("hace 5") and spanish.endswith("horas")
    assert english.startswith("5") and english.endswith("hours ago")
