"""How the conversation page shows an attachment: a picture, a video poster, a map or web link, a file."""

from __future__ import annotations

from django import template
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from inbox.services.media import stored_url

register = template.Library()

LABELS = {
    "image": lambda: _("Image"),
    "sticker": lambda: _("Sticker"),
    "gif": lambda: _("GIF"),
    "video": lambda: _("Video"),
    "audio": lambda: _("Audio"),
    "file": lambda: _("File"),
    "link": lambda: _("Link"),
    "story_mention": lambda: _("Mentioned you in their story"),
    "story_reply": lambda: _("Reply to your story"),
    "location": lambda: _("Location"),
    "template": lambda: _("Card"),
    "product": lambda: _("Product"),
    "fallback": lambda: _("Content the network does not show"),
}


@register.filter
def attachment_view(attachment) -> dict:
    """``{"kind": picture|video|map|link|file|text, "src", "href", "label"}`` for the template."""
    if not isinstance(attachment, dict):
        return {"kind": "text", "label": _("Attachment"), "src": "", "href": ""}
    kind = attachment.get("type", "file")
    label_of = LABELS.get(kind, LABELS["file"])
    url = attachment.get("url") or ""
    title = attachment.get("title") or ""
    if attachment.get("copy_from"):
        # Media the network serves only to the account: the page can only show our copy.
        return _private_media_view(attachment, kind, title or label_of())
    picture = stored_url(attachment)
    view = {"src": picture, "href": url or picture, "label": title or label_of()}
    if kind == "location":
        lat, lng = attachment.get("latitude"), attachment.get("longitude")
        coordinates = f"{lat}, {lng}" if lat is not None and lng is not None else ""
        return view | {"kind": "map", "label": " · ".join(filter(None, [title or label_of(), coordinates]))}
    if kind in ("video", "gif") and (url or picture):
        return view | {"kind": "video" if picture else "link"}
    if picture:
        caption = title if kind in ("image", "sticker") else " · ".join(filter(None, [label_of(), title]))
        return view | {"kind": "picture", "caption": caption}
    if kind in ("audio", "file") and url:
        return view | {"kind": "file"}
    if url:
        return view | {"kind": "link", "label": title or url}
    return view | {"kind": "text"}


def _private_media_view(attachment: dict, kind: str, label: str) -> dict:
    """WhatsApp media and e-mail attachments: our stored copy, or a label while it is being copied."""
    stored = default_storage.url(attachment["stored"]) if attachment.get("stored") else ""
    if not stored:
        return {"kind": "text", "label": label, "src": "", "href": ""}
    if kind in ("image", "sticker") and (attachment.get("mime_type") or "image/").startswith("image/"):
        return {
            "kind": "picture",
            "src": stored,
            "href": stored,
            "label": label,
            "caption": attachment.get("title") or "",
        }
    return {"kind": "file", "src": "", "href": stored, "label": label}
