"""Listening on the open web: feeds read from a local fake server, matched, deduplicated, failing and recovering."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from channels.connectors.feed.parsing import feed_parse
from demo.fakes.feeds import FakeFeeds, serve
from listening.models import Result, Watch
from listening.selectors import share_of_voice
from listening.services import result_send_to_inbox, watch_backoff, watch_poll
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def feeds(settings):
    state = FakeFeeds()
    server = serve(state)
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def forums(db):
    return ChannelFactory(kind="feed", name="Blogs y foros", key="foros")


def feed_watch(forums, url, *, keywords="La Espiga", kind="brand", name="Foro"):
    return Watch.objects.create(name=name, kind=kind, source="feed", feed_url=url, keywords=keywords, channel=forums)


def due(watch):
    Watch.objects.filter(pk=watch.pk).update(next_poll_at=None)


# Parsing ---------------------------------------------------------------------------------------


def test_rss2_entries_with_html_stripped_and_authors():
    report = feed_parse(fixture("rss2.xml"))
    assert report.title == "Foro Zaragoza · Comer y beber" and not report.problem
    first = report.entries[0]
    assert first.key == first.link == "https://foro.example.org/hilo/4711"
    assert first.text == "Quiero encargar una tarta & unas pastas." and first.author == "migas_aragon"
    assert first.written_at.isoformat() == "2026-11-24T09:41:03+00:00"
    assert report.entries[1].key == "foro-4712"  # a guid that is not a link is still the key


def test_atom_entries_take_content_and_published():
    report = feed_parse(fixture("atom.xml"))
    post = report.entries[0]
    assert post.key == "tag:blog.example.org,2026:post-17"
    assert post.title == "Las cinco mejores panaderías: La Espiga"  # HTML title as text
    assert post.text.startswith("Empezamos por la espiga") and post.author == "Lucía Gómez"
    assert post.written_at.isoformat() == "2026-11-24T09:00:00+00:00"
    assert report.entries[1].written_at.isoformat() == "2026-11-23T10:00:00+00:00"  # only <updated>


def test_missing_optional_fields_keep_the_entry_and_one_without_key_is_skipped_alone():
    report = feed_parse(fixture("rss_minimal.xml"))
    assert [e.key for e in report.entries] == ["https://news.example.org/a", "news-c"]
    assert report.entries[0].title == "" and report.entries[0].written_at is None
    assert report.entries[1].link == ""  # a guid is not taken for a link
    assert report.skipped == ["an entry without id, guid nor link"]


def test_bad_xml_keeps_every_readable_entry():
    report = feed_parse(fixture("bad.xml"))
    assert report.problem.startswith("Not a well-formed feed")
    assert [e.key for e in report.entries] == ["broken-1", "broken-2", "broken-3"]


def test_not_a_feed_is_a_problem_without_entries():
    report = feed_parse(b"<html><body>Hello</body></html>")
    assert report.entries == [] and report.problem


# Polling ---------------------------------------------------------------------------------------


def test_a_feed_watch_stores_matching_entries_once_ignoring_accents_and_case(feeds, forums):
    url = feeds.serve_bytes("/foro.rss", fixture("rss2.xml"))
    watch = feed_watch(forums, url)
    assert watch_poll(watch_id=watch.pk) == 1  # «LA ESPÍGA» matches «La Espiga»; «Espigas» does not
    result = Result.objects.get()
    assert result.title == "¿LA ESPÍGA abre el domingo?" and result.is_question
    assert result.url == "https://foro.example.org/hilo/4711" and result.author_handle == "migas_aragon"
    assert result.author_name == "Foro Zaragoza · Comer y beber"
    watch.refresh_from_db()
    assert watch.etag and watch.last_modified and watch.last_error == "" and watch.failures == 0
    assert watch.next_poll_at > timezone.now() + timedelta(minutes=59)
    # Unchanged: a conditional GET answered 304, nothing parsed or stored.
    due(watch)
    assert watch_poll(watch_id=watch.pk) == 0
    assert feeds.requests[-1][1] == {"If-None-Match": watch.etag, "If-Modified-Since": watch.last_modified}
    # Changed (the same thread edited, one new): only the new entry is stored.
    body = fixture("rss2.xml").replace(b"Quiero encargar", b"EDITADO: quiero encargar")
    body = body.replace(b"<title>Horno Dor\xc3\xa9 sube precios", b"<title>Horno Dor\xc3\xa9 y La Espiga suben precios")
    feeds.serve_bytes("/foro.rss", body)
    due(watch)
    assert watch_poll(watch_id=watch.pk) == 1
    assert Result.objects.count() == 2
    assert Result.objects.get(url="https://foro.example.org/hilo/4711").text.startswith("Quiero")


def test_a_search_feed_without_words_takes_every_entry(feeds, forums):
    watch = feed_watch(forums, feeds.serve_bytes("/atom", fixture("atom.xml"), "application/atom+xml"), keywords="")
    assert watch_poll(watch_id=watch.pk) == 2


def test_a_bad_entry_never_costs_its_neighbours(feeds, forums):
    watch = feed_watch(forums, feeds.serve_bytes("/bad", fixture("bad.xml")))
    assert watch_poll(watch_id=watch.pk) == 3
    minimal = feed_watch(forums, feeds.serve_bytes("/min", fixture("rss_minimal.xml")), name="Noticias")
    assert watch_poll(watch_id=minimal.pk) == 2
    no_link = Result.objects.get(watch=minimal, title__startswith="Con guid")
    assert no_link.url == minimal.feed_url  # the feed's address stands in for a missing link


def test_a_failing_feed_shows_its_error_backs_off_and_recovers(feeds, forums):
    url = feeds.serve_bytes("/foro.rss", fixture("rss2.xml"))
    watch = feed_watch(forums, url)
    feeds.fail("/foro.rss", 500)
    before = timezone.now()
    assert watch_poll(watch_id=watch.pk) == 0
    watch.refresh_from_db()
    assert "500" in watch.last_error and watch.failures == 1
    assert before + timedelta(minutes=4) < watch.next_poll_at < before + timedelta(minutes=6)
    due(watch)
    watch_poll(watch_id=watch.pk)
    watch.refresh_from_db()
    assert watch.failures == 2 and watch.next_poll_at > before + timedelta(minutes=9)
    # A rate limit waits what the site asks.
    feeds.fail("/foro.rss", 429, {"Retry-After": "1800"})
    due(watch)
    watch_poll(watch_id=watch.pk)
    watch.refresh_from_db()
    assert watch.next_poll_at > timezone.now() + timedelta(minutes=29)
    # Not a feed at all: the error says so.
    feeds.recover("/foro.rss")
    feeds.serve_bytes("/foro.rss", b"<html>maintenance</html>", "text/html")
    due(watch)
    watch_poll(watch_id=watch.pk)
    watch.refresh_from_db()
    assert watch.last_error.startswith("Not a") and Result.objects.count() == 0
    # It recovers: the error is cleared and the entries stored.
    feeds.serve_bytes("/foro.rss", fixture("rss2.xml"))
    due(watch)
    assert watch_poll(watch_id=watch.pk) == 1
    watch.refresh_from_db()
    assert watch.last_error == "" and watch.failures == 0


def test_a_gone_feed_and_an_oversized_one_are_errors(feeds, forums, settings):
    watch = feed_watch(forums, feeds.url("/nothing-here"))
    watch_poll(watch_id=watch.pk)
    watch.refresh_from_db()
    assert "404" in watch.last_error and watch.next_poll_at > timezone.now() + timedelta(minutes=59)
    settings.FEED_MAX_BYTES = 500
    big = feed_watch(forums, feeds.serve_bytes("/big", fixture("rss2.xml")), name="Grande")
    watch_poll(watch_id=big.pk)
    big.refresh_from_db()
    assert "larger than" in big.last_error


def test_backoff_doubles_up_to_a_day():
    assert watch_backoff(failures=1, permanent=False) == timedelta(minutes=5)
    assert watch_backoff(failures=3, permanent=False) == timedelta(minutes=20)
    assert watch_backoff(failures=40, permanent=True) == timedelta(hours=24)


def test_a_forum_thread_goes_to_the_inbox_and_share_of_voice_counts_every_source(
    feeds, forums, default_protocol, gestor
):
    watch = feed_watch(forums, feeds.serve_bytes("/foro.rss", fixture("rss2.xml")))
    rival = feed_watch(forums, watch.feed_url, keywords="horno dore", kind="competitor", name="Horno Doré")
    watch_poll(watch_id=watch.pk)
    watch_poll(watch_id=rival.pk)
    result = Result.objects.get(watch=watch)
    conversation = result_send_to_inbox(result=result, by=gestor)
    assert conversation.channel == forums and not conversation.is_private
    message = conversation.messages.get()
    assert message.body.startswith("Quiero encargar") and conversation.sla_due_at is not None
    shares = {s.watch.name: s.percent for s in share_of_voice(now=timezone.now() + timedelta(days=1))}
    assert shares == {"Foro": 50.0, "Horno Doré": 50.0}


def test_the_page_shows_forum_results_and_watch_errors(client, feeds, forums, gestor, cm):
    watch = feed_watch(forums, feeds.serve_bytes("/foro.rss", fixture("rss2.xml")))
    broken = feed_watch(forums, feeds.url("/gone"), name="Blog caído")
    watch_poll(watch_id=watch.pk)
    watch_poll(watch_id=broken.pk)
    client.force_login(gestor)
    html = client.get(reverse("listening:stream")).content.decode()
    assert "¿LA ESPÍGA abre el domingo?" in html and "https://foro.example.org/hilo/4711" in html
    assert "404" in html
    client.force_login(cm)
    response = client.post(
        reverse("listening:watch-create"),
        {"name": "Sin URL", "kind": "keyword", "source": "feed", "channel": forums.pk, "interval_minutes": 60},
    )
    assert response.status_code == 200 and not Watch.objects.filter(name="Sin URL").exists()


def test_the_api_creates_feed_watches_and_checks_their_channel(cm, forums, x_channel):
    api = APIClient()
    api.force_authenticate(cm)
    payload = {
        "name": "Blog",
        "kind": "brand",
        "source": "feed",
        "feed_url": "http://127.0.0.1:1/feed",
        "channel": forums.pk,
    }
    created = api.post("/api/v1/listening/watches/", payload, format="json")
    assert created.status_code == 201 and created.json()["source"] == "feed"
    wrong = api.post("/api/v1/listening/watches/", {**payload, "channel": x_channel.pk}, format="json")
    assert wrong.status_code == 400 and "channel" in wrong.json()
    no_url = api.post("/api/v1/listening/watches/", {**payload, "feed_url": ""}, format="json")
    assert no_url.status_code == 400 and "feed_url" in no_url.json()


def test_a_reply_to_a_forum_thread_is_refused_with_the_reason(feeds, forums, default_protocol, gestor, client):
    watch = feed_watch(forums, feeds.serve_bytes("/foro.rss", fixture("rss2.xml")))
    watch_poll(watch_id=watch.pk)
    conversation = result_send_to_inbox(result=Result.objects.get(), by=gestor)
    client.force_login(gestor)
    response = client.post(reverse("inbox:reply", args=[conversation.pk]), {"body": "¡Hola! Sí, abrimos."})
    assert response.status_code == 422 and "se responden en el propio sitio" in response.content.decode()
    assert not conversation.messages.filter(direction="out").exists()
    page = client.get(reverse("inbox:detail", args=[conversation.pk])).content.decode()
    assert 'data-testid="thread-link"' in page and "https://foro.example.org/hilo/4711" in page
