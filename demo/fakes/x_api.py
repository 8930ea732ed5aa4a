"""A local fake of the X API v2 endpoints Mostrador uses, for the demo and the tests.

Shaped as X documents them: mentions with ``includes.users`` and
``meta.newest_id``/``next_token``, DM events, recent search, posting a tweet or
a DM. It keeps what was posted (``state.posted``) and can answer 429 with
``x-rate-limit-reset`` or 401, to show what a real account does.
"""

from __future__ import annotations

import re
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count

from demo.fakes.http import serve

_ids = count(1_860_000_000_000_000_000)


def next_id() -> str:
    return str(next(_ids))


def stamp(minutes_ago: float = 0) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class FakeX:
    account_id: str = "1500000000000000001"
    account_username: str = "laespiga"
    users: dict[str, dict] = field(default_factory=dict)
    mentions: list[dict] = field(default_factory=list)  # newest last
    dm_events: list[dict] = field(default_factory=list)
    corpus: list[dict] = field(default_factory=list)  # what search can find
    posted: list[dict] = field(default_factory=list)
    # The account's own tweets (replies it posted), newest last: GET /2/users/:id/tweets.
    own_tweets: list[dict] = field(default_factory=list)
    # The DMs the account sent, listed with the others by GET /2/dm_events.
    own_dm_events: list[dict] = field(default_factory=list)
    rate_limited_until: float = 0
    revoked: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def user(self, username: str, name: str) -> str:
        user_id = str(zlib.crc32(username.encode()) + 10**15)  # stable across runs
        self.users[user_id] = {"id": user_id, "username": username, "name": name}
        return user_id

    def mention(
        self, username: str, name: str, text: str, *, minutes_ago: float = 0, conversation_id: str | None = None
    ) -> dict:
        tweet_id = next_id()
        tweet = {
            "id": tweet_id,
            "text": text,
            "author_id": self.user(username, name),
            "conversation_id": conversation_id or tweet_id,
            "created_at": stamp(minutes_ago),
            "edit_history_tweet_ids": [tweet_id],
        }
        with self.lock:
            self.mentions.append(tweet)
            self.corpus.append(tweet)
        return tweet

    def post(self, username: str, name: str, text: str, *, minutes_ago: float = 0) -> dict:
        """A tweet that does not mention the account (found by search only)."""
        tweet_id = next_id()
        tweet = {"id": tweet_id, "text": text, "author_id": self.user(username, name), "created_at": stamp(minutes_ago)}
        tweet["conversation_id"] = tweet_id
        with self.lock:
            self.corpus.append(tweet)
        return tweet

    def dm(self, username: str, name: str, text: str, *, minutes_ago: float = 0) -> dict:
        sender = self.user(username, name)
        event = {
            "id": next_id(),
            "event_type": "MessageCreate",
            "text": text,
            "sender_id": sender,
            "dm_conversation_id": f"{sender}-{self.account_id}",
            "created_at": stamp(minutes_ago),
        }
        with self.lock:
            self.dm_events.append(event)
        return event

    # --- answering

    def handle(self, method: str, path: str, query: dict, body: dict | None) -> tuple[int, dict, dict]:
        if self.revoked:
            return 401, {}, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
        if time.time() < self.rate_limited_until:
            headers = {"x-rate-limit-reset": str(int(self.rate_limited_until)), "x-rate-limit-remaining": "0"}
            return (
                429,
                headers,
                {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
            )
        parts = path.strip("/").split("/")
        with self.lock:
            if method == "GET" and parts[:2] == ["2", "users"] and parts[-1] == "tweets":
                return 200, {}, self._timeline(list(self.own_tweets), query)
            if method == "GET" and parts[:2] == ["2", "users"] and parts[-1] == "mentions":
                return 200, {}, self._timeline([t for t in self.mentions], query)
            if method == "GET" and parts[:2] == ["2", "dm_events"]:
                everything = sorted(self.dm_events + self.own_dm_events, key=lambda e: e["created_at"])
                events = list(reversed(everything))[: int(query.get("max_results", 100))]
                return (
                    200,
                    {},
                    {
                        "data": events,
                        "includes": {"users": self._users(e["sender_id"] for e in events)},
                        "meta": {"result_count": len(events)},
                    },
                )
            if method == "GET" and parts[:3] == ["2", "tweets", "search"]:
                return (
                    200,
                    {},
                    self._timeline([t for t in self.corpus if _matches(query.get("query", ""), t["text"])], query),
                )
            if method == "GET" and parts[:2] == ["2", "tweets"] and len(parts) == 3 and parts[2].isdigit():
                tweet = next((t for t in self.corpus + self.mentions if t["id"] == parts[2]), None)
                if tweet is None:
                    return (
                        200,
                        {},
                        {
                            "errors": [
                                {
                                    "value": parts[2],
                                    "detail": f"Could not find tweet with id: [{parts[2]}].",
                                    "title": "Not Found Error",
                                    "resource_type": "tweet",
                                    "parameter": "id",
                                    "resource_id": parts[2],
                                    "type": "https://api.twitter.com/2/problems/resource-not-found",
                                }
                            ]
                        },
                    )
                return 200, {}, {"data": {k: tweet[k] for k in ("id", "text", "conversation_id") if k in tweet}}
            if method == "POST" and parts == ["2", "media", "upload"]:
                media_id = next_id()
                self.posted.append({"kind": "media", "id": media_id, **(body or {})})
                return (
                    200,
                    {},
                    {"data": {"id": media_id, "media_key": f"3_{media_id}", "size": (body or {}).get("_length", 0)}},
                )
            if method == "POST" and parts == ["2", "tweets"]:
                tweet_id = next_id()
                self.posted.append({"kind": "tweet", "id": tweet_id, **(body or {})})
                replied = ((body or {}).get("reply") or {}).get("in_reply_to_tweet_id")
                self.own_tweets.append(
                    {
                        "id": tweet_id,
                        "text": (body or {}).get("text", ""),
                        "author_id": self.account_id,
                        "created_at": stamp(),
                        "referenced_tweets": [{"type": "replied_to", "id": replied}] if replied else [],
                    }
                )
                return (
                    201,
                    {},
                    {
                        "data": {
                            "id": tweet_id,
                            "text": (body or {}).get("text", ""),
                            "edit_history_tweet_ids": [tweet_id],
                        }
                    },
                )
            if method == "POST" and parts[:3] == ["2", "dm_conversations", "with"] and parts[-1] == "messages":
                event_id = next_id()
                self.posted.append({"kind": "dm", "participant_id": parts[3], "id": event_id, **(body or {})})
                self.own_dm_events.append(
                    {
                        "id": event_id,
                        "event_type": "MessageCreate",
                        "text": (body or {}).get("text", ""),
                        "sender_id": self.account_id,
                        "dm_conversation_id": f"{parts[3]}-{self.account_id}",
                        "created_at": stamp(),
                    }
                )
                return (
                    201,
                    {},
                    {"data": {"dm_conversation_id": f"{parts[3]}-{self.account_id}", "dm_event_id": event_id}},
                )
        return 404, {}, {"title": "Not Found Error", "detail": f"No route for {method} {path}", "status": 404}

    def _users(self, ids) -> list[dict]:
        return [self.users[i] for i in dict.fromkeys(ids) if i in self.users]

    def _timeline(self, tweets: list[dict], query: dict) -> dict:
        since = int(query.get("since_id", 0) or 0)
        newest_first = sorted((t for t in tweets if int(t["id"]) > since), key=lambda t: int(t["id"]), reverse=True)
        size = int(query.get("max_results", 10))
        start = int(query.get("pagination_token") or query.get("next_token") or 0)
        page = newest_first[start : start + size]
        meta: dict[str, object] = {"result_count": len(page)}
        if page:
            meta |= {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
        if start + size < len(newest_first):
            meta["next_token"] = str(start + size)
        body: dict[str, object] = {"meta": meta}
        if page:
            body |= {"data": page, "includes": {"users": self._users(t["author_id"] for t in page)}}
        return body


def _matches(query: str, text: str) -> bool:
    """A small subset of X's query language: alternatives with OR, words, "phrases", -operators ignored."""
    text = text.lower()
    for alternative in query.split(" OR "):
        tokens = re.findall(r'"[^"]+"|\S+', alternative.replace("(", " ").replace(")", " "))
        terms = [t.strip('"').lower() for t in tokens if not t.startswith("-") and ":" not in t]
        if terms and all(term in text for term in terms):
            return True
    return False


def demo_state() -> FakeX:
    """The demo's X: mentions, DMs, and chatter about the brand and a competitor."""
    x = FakeX()
    x.mention("rosa_p", "Rosa Pérez", "@laespiga ¿abrís el domingo por la tarde?", minutes_ago=40)
    x.mention("jmartin", "Javier Martín", "@laespiga el pan de ayer llegó duro y seco, una pena", minutes_ago=25)
    x.mention("lucia_v", "Lucía V.", "Gracias @laespiga por la tarta de cumple, ¡espectacular! 🎂", minutes_ago=10)
    x.dm("carmen_r", "Carmen R.", "Hola, ¿puedo encargar 3 roscones para el sábado?", minutes_ago=15)
    x.post("foodie_zgz", "Foodie Zaragoza", "La Espiga tiene el mejor pan de masa madre del barrio", minutes_ago=90)
    x.post("ana_b", "Ana B.", "¿Alguien sabe si La Espiga hace pan sin gluten?", minutes_ago=30)
    x.post("pedro_g", "Pedro G.", "Horno Doré ha subido otra vez los precios, ¡qué barbaridad!", minutes_ago=60)
    x.post("marta_l", "Marta L.", "Los croissants de Horno Doré están de vicio", minutes_ago=20)
    return x


__all__ = ["FakeX", "demo_state", "serve"]
