"""A local fake of the Graph API calls Mostrador makes, for the demo and the tests.

It answers WhatsApp too (messages sent, media ids resolved and downloaded,
approved templates listed), comment replies, Instagram replies, Messenger/Instagram messages
(including private replies to comments, and images sent by URL) and hiding,
profile look-ups (``GET /<PSID>?fields=first_name,last_name,profile_pic``,
``GET /<IGSID>?fields=name,username,profile_pic``), Instagram mention look-ups
(``mentioned_comment``/``mentioned_media``), serves pictures as Meta's CDN
would (``/cdn/<name>``), keeps every request it received (``state.requests``),
and can answer as Meta does when a token has expired (code 190) or the app is
rate limited (code 32 with usage headers).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from itertools import count

from demo.fakes.http import png, serve

__all__ = ["FakeGraph", "demo_state", "serve"]


@dataclass
class FakeGraph:
    requests: list[dict] = field(default_factory=list)
    # What GET /{page}/feed and /{page}/conversations return (Graph API shapes).
    feed: list[dict] = field(default_factory=list)
    conversations: list[dict] = field(default_factory=list)
    media: list[dict] = field(default_factory=list)
    # Profiles by PSID or IGSID, as the Graph API gives them.
    profiles: dict[str, dict] = field(default_factory=dict)
    # Mentions of the Instagram account: comment or media id → the comment or media node.
    mentioned: dict[str, dict] = field(default_factory=dict)
    # What the account itself wrote: its comments and replies under a parent,
    # and its messages to a person (GET .../comments, .../replies, conversations?user_id=).
    page_id: str = "100000000000001"
    instagram_id: str = "17841400000000001"
    own_comments: dict[str, list[dict]] = field(default_factory=dict)
    own_messages: dict[str, list[dict]] = field(default_factory=dict)
    # WhatsApp: approved templates of the Business Account, and media by id
    # (``{"mime_type", "content"}``: downloaded from ``/whatsapp-media/<id>``).
    templates: list[dict] = field(default_factory=list)
    wa_media: dict[str, dict] = field(default_factory=dict)
    # The fake's own address, set by ``serve`` (media URLs point back at it).
    base_url: str = ""
    token_expired: bool = False
    rate_limited: bool = False
    ids: count = field(default_factory=lambda: count(900))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, method: str, path: str, query: dict, body: dict | None) -> tuple[int, dict, dict | bytes]:
        if method == "GET" and path.startswith("/cdn/"):
            return 200, {"Content-Type": "image/png"}, png()
        if method == "GET" and path.startswith("/whatsapp-media/"):
            media = self.wa_media.get(path.rsplit("/", 1)[-1])
            if media is None:
                return 404, {}, {"error": {"message": "Not found", "code": 100}}
            return 200, {"Content-Type": media["mime_type"]}, media.get("content") or png()
        parts = path.strip("/").split("/")[1:]  # drop the version
        if self.token_expired:
            return (
                400,
                {},
                {
                    "error": {
                        "message": "Error validating access token: Session has expired.",
                        "type": "OAuthException",
                        "code": 190,
                        "error_subcode": 463,
                        "fbtrace_id": "Afake",
                    }
                },
            )
        if self.rate_limited:
            usage = {"100000000000001": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 12}]}
            return (
                400,
                {"X-Business-Use-Case-Usage": json.dumps(usage)},
                {
                    "error": {
                        "message": "User request limit reached",
                        "type": "OAuthException",
                        "code": 32,
                        "fbtrace_id": "Afake",
                    }
                },
            )
        if method == "GET" and parts[-1:] == ["feed"]:
            return 200, {}, {"data": self.feed, "paging": {}}
        if method == "GET" and parts[-1:] == ["media"]:
            return 200, {}, {"data": self.media, "paging": {}}
        if method == "GET" and parts[-1:] == ["conversations"] and "user_id" in query:
            sent = self.own_messages.get(query["user_id"], [])
            return 200, {}, {"data": [{"id": f"t_{query['user_id']}", "messages": {"data": sent[::-1]}}]}
        if method == "GET" and parts[-1:] == ["conversations"]:
            return 200, {}, {"data": self.conversations, "paging": {}}
        if method == "GET" and len(parts) == 2 and parts[-1] in ("comments", "replies"):
            return 200, {}, {"data": self.own_comments.get(parts[0], [])[::-1], "paging": {}}
        if method == "GET" and parts[-1:] == ["message_templates"]:
            with self.lock:
                self.requests.append({"path": "/".join(parts), "query": query})
            wanted = query.get("status", "")
            return 200, {}, {"data": [t for t in self.templates if not wanted or t.get("status") == wanted]}
        if method == "GET" and len(parts) == 1:
            return self._node(parts[0], query.get("fields", ""))
        if method != "POST" or not parts:
            return (
                400,
                {},
                {"error": {"message": f"Unsupported {method} {path}", "type": "GraphMethodException", "code": 100}},
            )
        with self.lock:
            self.requests.append({"path": "/".join(parts), "body": body or {}})
            n = next(self.ids)
        now = time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime())
        if parts[-1] == "comments":
            comment = {"id": f"{parts[0]}_{n}", "message": (body or {}).get("message", ""), "created_time": now}
            self.own_comments.setdefault(parts[0], []).append({**comment, "from": {"id": self.page_id}})
            return 200, {}, {"id": comment["id"]}
        if parts[-1] == "replies":
            reply = {"id": f"1799{n}", "text": (body or {}).get("message", ""), "timestamp": now}
            self.own_comments.setdefault(parts[0], []).append({**reply, "from": {"id": self.instagram_id}})
            return 200, {}, {"id": reply["id"]}
        if parts[-1] == "messages" and (body or {}).get("messaging_product") == "whatsapp":
            to = str((body or {}).get("to", ""))
            return (
                200,
                {},
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": to, "wa_id": to}],
                    "messages": [{"id": f"wamid.fake{n}"}],
                },
            )
        if parts[-1] == "messages":
            recipient = (body or {}).get("recipient", {})
            text = ((body or {}).get("message") or {}).get("text", "")
            if "id" in recipient:
                self.own_messages.setdefault(recipient["id"], []).append(
                    {"id": f"m_fake{n}", "message": text, "from": {"id": parts[0]}, "created_time": now}
                )
            return 200, {}, {"recipient_id": recipient.get("id", "psid-from-comment"), "message_id": f"m_fake{n}"}
        if len(parts) == 1 and "is_hidden" in (body or {}):
            return 200, {}, {"success": True}
        return 400, {}, {"error": {"message": f"Unknown edge {path}", "type": "GraphMethodException", "code": 100}}

    def _node(self, node_id: str, fields: str) -> tuple[int, dict, dict]:
        """A profile, or the account's ``mentioned_comment``/``mentioned_media`` field."""
        with self.lock:
            self.requests.append({"path": node_id, "fields": fields})
        if node_id in self.wa_media:
            media = self.wa_media[node_id]
            return (
                200,
                {},
                {
                    "messaging_product": "whatsapp",
                    "url": f"{self.base_url}/whatsapp-media/{node_id}",
                    "mime_type": media["mime_type"],
                    "sha256": "fake",
                    "file_size": len(media.get("content") or png()),
                    "id": node_id,
                },
            )
        for edge, key in (("mentioned_comment", "comment_id"), ("mentioned_media", "media_id")):
            if fields.startswith(f"{edge}.{key}("):
                target = fields[len(f"{edge}.{key}(") :].split(")", 1)[0]
                if target not in self.mentioned:
                    return (
                        400,
                        {},
                        {"error": {"message": "Unsupported get request.", "type": "GraphMethodException", "code": 100}},
                    )
                return 200, {}, {edge: self.mentioned[target], "id": node_id}
        if node_id in self.profiles:
            wanted = [f for f in fields.split(",") if f] or list(self.profiles[node_id])
            profile = {k: v for k, v in self.profiles[node_id].items() if k in wanted}
            return 200, {}, {**profile, "id": node_id}
        return (
            400,
            {},
            {
                "error": {
                    "message": f"Unsupported get request. Object with ID '{node_id}' does not exist",
                    "type": "GraphMethodException",
                    "code": 100,
                    "error_subcode": 33,
                }
            },
        )


# WhatsApp templates as ``GET /<waba-id>/message_templates`` lists them.
WHATSAPP_TEMPLATES = [
    {
        "name": "seguimiento_consulta",
        "language": "es",
        "status": "APPROVED",
        "category": "UTILITY",
        "parameter_format": "POSITIONAL",
        "id": "1001",
        "components": [
            {
                "type": "BODY",
                "text": "Hola {{1}}, te escribimos de {{2}} sobre tu consulta. ¿Podemos ayudarte en algo más?",
                "example": {"body_text": [["Ana", "La Espiga"]]},
            }
        ],
    },
    {
        "name": "pedido_listo",
        "language": "es",
        "status": "APPROVED",
        "category": "UTILITY",
        "parameter_format": "NAMED",
        "id": "1002",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Tu pedido"},
            {"type": "BODY", "text": "Hola {{first_name}}, tu pedido {{order}} ya está listo para recoger."},
            {"type": "FOOTER", "text": "La Espiga"},
        ],
    },
    {
        "name": "promo_navidad",
        "language": "es",
        "status": "APPROVED",
        "category": "MARKETING",
        "id": "1003",
        "components": [{"type": "HEADER", "format": "IMAGE"}, {"type": "BODY", "text": "¡Roscones por encargo!"}],
    },
    {
        "name": "borrador",
        "language": "es",
        "status": "PENDING",
        "category": "UTILITY",
        "id": "1004",
        "components": [{"type": "BODY", "text": "Aún sin aprobar"}],
    },
]


def demo_state() -> FakeGraph:
    """The demo's Graph API: the people of the README's sample deliveries have profiles."""
    graph = FakeGraph()
    graph.profiles["7216"] = {
        "first_name": "Carmen",
        "last_name": "Ruiz",
        "profile_pic": "http://127.0.0.1:8766/cdn/carmen.png",
    }
    graph.profiles["7216093241750001"] = {"first_name": "Ana", "last_name": "García"}
    graph.profiles["1914"] = {
        "name": "Lucía Vidal",
        "username": "lucia.vidal",
        "profile_pic": "http://127.0.0.1:8766/cdn/lucia.png",
    }
    graph.templates = [dict(t) for t in WHATSAPP_TEMPLATES]
    graph.wa_media["wa-media-demo-1"] = {"mime_type": "image/png"}
    graph.mentioned["17865799348089050"] = {
        "id": "17865799348089050",
        "text": "@laespiga el mejor pan del barrio",
        "username": "foodie_zgz",
        "timestamp": "2026-11-25T10:00:00+0000",
        "media": {"id": "17900000000000020", "permalink": "https://www.instagram.com/p/demo/"},
    }
    return graph
