"""A local fake of the Google APIs Mostrador calls, for the demo and the tests.

- OAuth 2.0: ``POST /token`` (refresh-token grant) gives access tokens; a
  revoked refresh token answers ``invalid_grant``.
- Business Profile (My Business API v4): ``GET /v4/{location}/reviews``
  (paged, ``orderBy=updateTime desc``), ``GET /v4/{review}``,
  ``PUT /v4/{review}/reply`` and ``DELETE /v4/{review}/reply``.
- YouTube Data API v3: ``GET /youtube/v3/commentThreads``
  (``allThreadsRelatedToChannelId``, paged), ``POST /youtube/v3/comments``
  (a reply: ``snippet.parentId``), ``POST /youtube/v3/comments/setModerationStatus``.

Every request is kept (``state.requests``); ``quota_exceeded`` answers 403
``quotaExceeded`` as YouTube does when the day's quota is spent; API calls need
a token the fake issued.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count

from demo.fakes.http import serve

__all__ = ["DEMO_CHANNEL_ID", "DEMO_LOCATION", "FakeGoogle", "demo_state", "serve"]

DEMO_LOCATION = "accounts/108123456789012345678/locations/4827163958201746352"
DEMO_CHANNEL_ID = "UCx9LaEspigaPanaderia00A"
STAR_NAMES = {1: "ONE", 2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE"}


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def review(
    review_id: str,
    stars: int,
    comment: str | None,
    *,
    name: str | None,
    written: datetime,
    updated: datetime | None = None,
    reply: str | None = None,
) -> dict:
    """A review as the API gives it; ``name`` None is an anonymous reviewer, ``comment`` None a rating alone."""
    data: dict = {
        "name": f"{DEMO_LOCATION}/reviews/{review_id}",
        "reviewId": review_id,
        "reviewer": (
            {"displayName": name, "profilePhotoUrl": f"https://lh3.googleusercontent.com/a/{review_id}=s120"}
            if name
            else {"isAnonymous": True}
        ),
        "starRating": STAR_NAMES.get(stars, "STAR_RATING_UNSPECIFIED"),
        "createTime": rfc3339(written),
        "updateTime": rfc3339(updated or written),
    }
    if comment is not None:
        data["comment"] = comment
    if reply is not None:
        data["reviewReply"] = {"comment": reply, "updateTime": rfc3339((updated or written) + timedelta(hours=2))}
    return data


def comment_resource(
    comment_id: str,
    text: str,
    *,
    author: str,
    author_channel: str | None,
    video_id: str,
    published: datetime,
    updated: datetime | None = None,
    parent_id: str | None = None,
) -> dict:
    """A YouTube ``comment`` resource; ``author_channel`` None leaves ``authorChannelId`` out (it may be missing)."""
    snippet: dict = {
        "channelId": DEMO_CHANNEL_ID,
        "videoId": video_id,
        "textDisplay": text.replace("\n", "<br>"),
        "textOriginal": text,
        "authorDisplayName": author,
        "authorProfileImageUrl": f"https://yt3.ggpht.com/{comment_id}=s48",
        "canRate": True,
        "viewerRating": "none",
        "likeCount": 0,
        "publishedAt": rfc3339(published),
        "updatedAt": rfc3339(updated or published),
    }
    if author_channel:
        snippet["authorChannelId"] = {"value": author_channel}
        snippet["authorChannelUrl"] = f"http://www.youtube.com/channel/{author_channel}"
    if parent_id:
        snippet["parentId"] = parent_id
    return {"kind": "youtube#comment", "etag": f"etag-{comment_id}", "id": comment_id, "snippet": snippet}


def thread_resource(top: dict, replies: list[dict] | None = None) -> dict:
    """A ``commentThread`` resource around a top-level comment (``replies`` left out when there are none)."""
    data: dict = {
        "kind": "youtube#commentThread",
        "etag": f"etag-thread-{top['id']}",
        "id": top["id"],
        "snippet": {
            "channelId": DEMO_CHANNEL_ID,
            "videoId": top["snippet"]["videoId"],
            "topLevelComment": top,
            "canReply": True,
            "totalReplyCount": len(replies or []),
            "isPublic": True,
        },
    }
    if replies:
        data["replies"] = {"comments": list(replies)}
    return data


def _error(status: int, reason: str, message: str, status_name: str = "") -> tuple[int, dict, dict]:
    error = {"code": status, "message": message, "errors": [{"message": message, "domain": "global", "reason": reason}]}
    if status_name:
        error["status"] = status_name
    return status, {}, {"error": error}


@dataclass
class FakeGoogle:
    requests: list[dict] = field(default_factory=list)
    location: str = DEMO_LOCATION
    reviews: list[dict] = field(default_factory=list)
    channel_id: str = DEMO_CHANNEL_ID
    threads: list[dict] = field(default_factory=list)
    # Comment id → moderation status set through the API (heldForReview, published, rejected).
    moderation: dict[str, str] = field(default_factory=dict)
    page_size: int | None = None  # None: as asked (the API's own maximum applies)
    revoked: bool = False
    quota_exceeded: bool = False
    issued: set[str] = field(default_factory=set)
    ids: count = field(default_factory=lambda: count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""

    def handle(self, method: str, path: str, query: dict, body: dict | None) -> tuple[int, dict, dict]:
        with self.lock:
            self.requests.append({"method": method, "path": path, "query": query, "body": body})
            if method == "POST" and path == "/token":
                return self._token(body or {})
            # The Authorization header is not passed to fakes; a token must have been issued.
            if not self.issued:
                return _error(401, "authError", "Request had invalid authentication credentials.", "UNAUTHENTICATED")
            if path.startswith("/v4/"):
                return self._business(method, path.removeprefix("/v4/"), query, body or {})
            if path.startswith("/youtube/v3/"):
                return self._youtube(method, path.removeprefix("/youtube/v3/"), query, body or {})
            return _error(404, "notFound", f"No route {method} {path}", "NOT_FOUND")

    def _token(self, form: dict) -> tuple[int, dict, dict]:
        if self.revoked or form.get("grant_type") != "refresh_token" or not form.get("refresh_token"):
            return 400, {}, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
        token = f"ya29.fake-{next(self.ids)}"
        self.issued.add(token)
        return 200, {}, {"access_token": token, "expires_in": 3599, "scope": "", "token_type": "Bearer"}

    # --- Business Profile
    def _page(self, items: list[dict], query: dict, maximum: int) -> tuple[list[dict], str]:
        size = min(int(query.get("pageSize") or query.get("maxResults") or maximum), maximum)
        size = self.page_size or size
        start = int(query.get("pageToken") or 0)
        chunk = items[start : start + size]
        return chunk, str(start + size) if start + size < len(items) else ""

    def _business(self, method: str, path: str, query: dict, body: dict) -> tuple[int, dict, dict]:
        if path == f"{self.location}/reviews" and method == "GET":
            ordered = sorted(self.reviews, key=lambda r: r["updateTime"], reverse=True)
            chunk, token = self._page(ordered, query, 50)
            answer: dict = {"totalReviewCount": len(self.reviews)}
            if self.reviews:
                stars = [STAR_NAMES_INV.get(str(r.get("starRating")), 0) for r in self.reviews]
                answer["averageRating"] = round(sum(stars) / len(stars), 1)
            if chunk:
                answer["reviews"] = chunk
            if token:
                answer["nextPageToken"] = token
            return 200, {}, answer
        name, _sep, tail = path.partition("/reply")
        found = next((r for r in self.reviews if r["name"] == name), None)
        if found is None:
            return _error(404, "notFound", "Requested entity was not found.", "NOT_FOUND")
        if method == "GET" and not tail and not _sep:
            return 200, {}, found
        if method == "PUT" and _sep:
            if not (body.get("comment") or "").strip():
                return _error(400, "badRequest", "Request contains an invalid argument.", "INVALID_ARGUMENT")
            found["reviewReply"] = {"comment": body["comment"], "updateTime": rfc3339(datetime.now(UTC))}
            return 200, {}, found["reviewReply"]
        if method == "DELETE" and _sep:
            found.pop("reviewReply", None)
            return 200, {}, {}
        return _error(404, "notFound", "Requested entity was not found.", "NOT_FOUND")

    # --- YouTube
    def _youtube(self, method: str, path: str, query: dict, body: dict) -> tuple[int, dict, dict]:
        if self.quota_exceeded:
            return _error(
                403,
                "quotaExceeded",
                "The request cannot be completed because you have exceeded your "
                '<a href="/youtube/v3/getting-started#quota">quota</a>.',
            )
        if method == "GET" and path == "commentThreads":
            if query.get("allThreadsRelatedToChannelId") != self.channel_id:
                return _error(404, "channelNotFound", "The channel could not be found.")
            ordered = sorted(
                self.threads, key=lambda t: t["snippet"]["topLevelComment"]["snippet"]["updatedAt"], reverse=True
            )
            chunk, token = self._page(ordered, query, 100)
            answer = {
                "kind": "youtube#commentThreadListResponse",
                "etag": "etag-list",
                "pageInfo": {"totalResults": len(chunk), "resultsPerPage": len(chunk)},
                "items": chunk,
            }
            if token:
                answer["nextPageToken"] = token
            return 200, {}, answer
        if method == "POST" and path == "comments":
            snippet = body.get("snippet") or {}
            parent = next((t for t in self.threads if t["id"] == snippet.get("parentId")), None)
            if parent is None:
                return _error(404, "parentCommentNotFound", "The parent comment could not be found.")
            if not (snippet.get("textOriginal") or "").strip():
                return _error(400, "commentTextRequired", "The comment must contain text.")
            now = datetime.now(UTC)
            reply = comment_resource(
                f"{parent['id']}.reply{next(self.ids)}",
                snippet["textOriginal"],
                author="Panadería La Espiga",
                author_channel=self.channel_id,
                video_id=parent["snippet"]["videoId"],
                published=now,
                parent_id=parent["id"],
            )
            parent.setdefault("replies", {"comments": []})["comments"].append(reply)
            parent["snippet"]["totalReplyCount"] += 1
            return 200, {}, reply
        if method == "POST" and path == "comments/setModerationStatus":
            status = query.get("moderationStatus")
            if status not in {"heldForReview", "published", "rejected"}:
                return _error(400, "invalidModerationStatus", "The moderation status is not valid.")
            for comment_id in (query.get("id") or "").split(","):
                self.moderation[comment_id] = status
            return 204, {}, {}
        return _error(404, "notFound", f"No route {method} {path}")


STAR_NAMES_INV = {name: stars for stars, name in STAR_NAMES.items()}


def demo_state(now: datetime | None = None) -> FakeGoogle:
    """The demo's business profile (reviews of every shape) and YouTube channel (comment threads)."""
    now = now or datetime.now(UTC)
    ago = lambda hours: now - timedelta(hours=hours)  # noqa: E731
    state = FakeGoogle()
    state.reviews = [
        review(
            "AbFvOqn3Gq1xYzDemoReview001",
            1,
            "Pedí una tarta de cumpleaños para las 17:00 y a las 18:30 aún no estaba. Nadie cogía el teléfono.",
            name="Marta Ibáñez",
            written=ago(5),
        ),
        review(
            "AbFvOqn3Gq1xYzDemoReview002",
            2,
            "El pan bueno, pero la cola de los domingos es eterna y solo había una persona atendiendo.",
            name="Luis Peralta",
            written=ago(30),
            updated=ago(20),
        ),
        review("AbFvOqn3Gq1xYzDemoReview003", 5, None, name=None, written=ago(8)),
        review(
            "AbFvOqn3Gq1xYzDemoReview004",
            4,
            "Las napolitanas de chocolate, las mejores del barrio. ¿Abrís el día de Navidad?",
            name="Sofía Lanuza",
            written=ago(50),
        ),
        review(
            "AbFvOqn3Gq1xYzDemoReview005",
            5,
            "Siempre amables. ¡El roscón del año pasado estaba buenísimo!",
            name="Andrés Gil",
            written=ago(24 * 9),
            reply="¡Gracias, Andrés! Este año volvemos con el roscón de nata y el de trufa.",
        ),
        # Earlier weeks, for the weekly report's ratings per week.
        review(
            "AbFvOqn3Gq1xYzDemoReview006",
            4,
            "Buen pan de pueblo.",
            name="Carmen Lafuente",
            written=ago(24 * 12),
            reply="¡Gracias, Carmen!",
        ),
        review(
            "AbFvOqn3Gq1xYzDemoReview007",
            3,
            None,
            name="Pedro Ballarín",
            written=ago(24 * 17),
            reply="Gracias, Pedro. ¿Qué podemos mejorar?",
        ),
        review(
            "AbFvOqn3Gq1xYzDemoReview008",
            5,
            "La trenza de Almudévar, espectacular.",
            name="Nuria Sancho",
            written=ago(24 * 24),
            reply="¡Nos alegra mucho, Nuria!",
        ),
    ]
    state.threads = [
        thread_resource(
            comment_resource(
                "UgzDemoThread001AaBbCc",
                "¿Qué harina usáis para la masa madre? La receta del vídeo no dice la marca.",
                author="@panaderacasera",
                author_channel="UCpanaderaCasera000000001",
                video_id="dQw4w9WgXcQ",
                published=ago(3),
            )
        ),
        thread_resource(
            comment_resource(
                "UgzDemoThread002DdEeFf",
                "Fui ayer por lo del vídeo y el pan de centeno estaba agotado a las 10. Tercera vez, no es normal.",
                author="@jorgeaznar",
                author_channel=None,
                video_id="dQw4w9WgXcQ",
                published=ago(26),
                updated=ago(25),
            ),
            [
                comment_resource(
                    "UgzDemoThread002DdEeFf.reply1",
                    "Yo igual, hay que ir a primera hora.",
                    author="@lucia_z",
                    author_channel="UCluciaZaragoza00000000002",
                    video_id="dQw4w9WgXcQ",
                    published=ago(24),
                    parent_id="UgzDemoThread002DdEeFf",
                )
            ],
        ),
        thread_resource(
            comment_resource(
                "UgzDemoThread003GgHhIi",
                "Enhorabuena por el canal, ¡qué ganas de probar la trenza de Almudévar!",
                author="@pilarmoncayo",
                author_channel="UCpilarMoncayo000000000003",
                video_id="9bZkp7q19f0",
                published=ago(48),
            )
        ),
    ]
    return state
