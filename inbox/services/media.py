"""Attachments: copies of network pictures, and images sent with replies.

Network media URLs expire (Meta's CDN links within days, Instagram's story
links within a day), so the picture of every image, sticker, story and video
poster is copied into Django's default storage (local files under
``MEDIA_ROOT`` by default, any storage backend in production):

1. ingest records one ``AttachmentCopy`` per picture in the transaction that
   stores the message (the debt) and queues ``attachment_copies_settle`` after
   commit;
2. the task downloads each picture (bounded size, images only), saves it and
   writes its storage name into the attachment dict (``stored``); failures are
   retried by the sweep up to ``MAX_ATTEMPTS`` times, then given up (the
   network URL stays);
3. the page and the API show the stored copy when there is one.
"""

from __future__ import annotations

import logging
import mimetypes
import uuid
from datetime import timedelta
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from channels.connectors.base import ConnectorError
from channels.connectors.registry import connector_for
from core.queue import dispatch_on_commit
from inbox.models import AttachmentCopy, Message

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Attachments whose ``url`` is itself a picture; the others are copied by their ``preview_url``.
PICTURE_TYPES = {"image", "sticker", "story_mention", "story_reply", "product", "template"}
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


def picture_source(attachment: dict) -> str:
    """The URL of the attachment's picture, if it has one to keep; for media the
    network serves only to the account (``copy_from``: WhatsApp media, e-mail
    parts), that source, whatever the media's type."""
    if attachment.get("copy_from"):
        return attachment["copy_from"]
    if attachment.get("preview_url"):
        return attachment["preview_url"]
    if attachment.get("type") in PICTURE_TYPES:
        return attachment.get("url") or ""
    return ""


def message_summary(message: Message) -> str:
    """One line for lists: the text, or what is attached when there is no text."""
    text = " ".join((message.body or "").split())
    if text:
        return text
    kinds = [a.get("type", "file") for a in message.attachments or [] if isinstance(a, dict)]
    return f"[{', '.join(kinds)}]" if kinds else ""


def attachment_copies_owe(*, messages: list[Message]) -> list[AttachmentCopy]:
    """Record the copies the messages' pictures owe and queue them after commit."""
    if not settings.MOSTRADOR_COPY_MEDIA:
        return []
    rows = [
        AttachmentCopy(message=message, position=position, source_url=source[:2000])
        for message in messages
        for position, attachment in enumerate(message.attachments or [])
        if isinstance(attachment, dict) and _copyable(attachment, source := picture_source(attachment))
    ]
    if not rows:
        return []
    AttachmentCopy.objects.bulk_create(rows, ignore_conflicts=True)
    from inbox.tasks import attachment_copies_settle_task

    dispatch_on_commit(attachment_copies_settle_task, args=([m.pk for m in messages],))
    return rows


def _copyable(attachment: dict, source: str) -> bool:
    """Web URLs are fetched as they are; ``copy_from`` sources by the connector."""
    return bool(source) and (bool(attachment.get("copy_from")) or source.startswith(("http://", "https://")))


def attachment_copies_settle(*, message_ids: list[int] | None = None, limit: int = 50) -> int:
    """Copy owed pictures (of these messages, or, for the sweep, the oldest owed that
    no task took within two minutes); return how many were copied."""
    owed = AttachmentCopy.objects.filter(settled_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
    if message_ids is not None:
        owed = owed.filter(message_id__in=message_ids)
    else:
        owed = owed.filter(created_at__lt=timezone.now() - timedelta(minutes=2))
    copied = 0
    for copy_id in list(owed.order_by("id").values_list("id", flat=True)[:limit]):
        # Claimed by a conditional update: two workers never copy the same picture.
        claimed = AttachmentCopy.objects.filter(pk=copy_id, settled_at__isnull=True, attempts__lt=MAX_ATTEMPTS).update(
            attempts=F("attempts") + 1
        )
        if not claimed:
            continue
        copy = AttachmentCopy.objects.select_related("message__channel").get(pk=copy_id)
        try:
            content, mime_type = _download(copy)
        except CopyFailed as exc:
            _copy_failed(copy, str(exc), permanent=exc.permanent)
            continue
        extension = mimetypes.guess_extension(mime_type) or ".img"
        name = default_storage.save(
            f"attachments/{copy.message.channel_id}/{copy.message_id}-{copy.position}{extension}",
            ContentFile(content),
        )
        _copy_stored(copy, name)
        copied += 1
    return copied


class CopyFailed(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def _download(copy: AttachmentCopy) -> tuple[bytes, str]:
    """The picture's bytes and type; private media through its connector (with the account's credentials)."""
    limit = settings.MOSTRADOR_MEDIA_MAX_BYTES
    url = copy.source_url
    attachments = copy.message.attachments or []
    attachment = attachments[copy.position] if copy.position < len(attachments) else {}
    if isinstance(attachment, dict) and attachment.get("copy_from") == url:
        try:
            return connector_for(copy.message.channel).media_download(url, max_bytes=limit)
        except ConnectorError as exc:
            raise CopyFailed(exc.message, permanent=exc.permanent) from exc
    try:
        with requests.get(url, stream=True, timeout=10) as response:
            if response.status_code in (401, 403, 404, 410):
                raise CopyFailed(f"{response.status_code} from the network", permanent=True)
            if response.status_code >= 400:
                raise CopyFailed(f"{response.status_code} from the network")
            mime_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if mime_type not in IMAGE_TYPES:
                raise CopyFailed(f"Not an image ({mime_type or 'no type'})", permanent=True)
            content = b""
            for chunk in response.iter_content(64 * 1024):
                content += chunk
                if len(content) > limit:
                    raise CopyFailed(f"Larger than {limit} bytes", permanent=True)
    except requests.RequestException as exc:
        raise CopyFailed(f"Could not download: {exc}") from exc
    return content, mime_type


def _copy_stored(copy: AttachmentCopy, name: str) -> None:
    with transaction.atomic():
        message = Message.objects.select_for_update(of=("self",)).get(pk=copy.message_id)
        attachments = list(message.attachments or [])
        if copy.position < len(attachments) and isinstance(attachments[copy.position], dict):
            attachments[copy.position] = {**attachments[copy.position], "stored": name}
            message.attachments = attachments
            message.save(update_fields=["attachments"])
        AttachmentCopy.objects.filter(pk=copy.pk).update(stored_name=name, settled_at=timezone.now(), last_error="")


def _copy_failed(copy: AttachmentCopy, error: str, *, permanent: bool) -> None:
    logger.info("Attachment copy %s failed: %s", copy.pk, error)
    done = permanent or copy.attempts >= MAX_ATTEMPTS
    AttachmentCopy.objects.filter(pk=copy.pk).update(
        last_error=error[:2000], settled_at=timezone.now() if done else None
    )


MEDIA_SALT = "mostrador.media"
# How long a signed link to a stored file works (networks fetch reply images by URL).
MEDIA_LINK_SECONDS = 7 * 24 * 3600


def media_url(name: str, *, signed: bool = False) -> str:
    """Where a stored file is read. Files kept on this server are served by
    ``inbox:media`` to people with a role, or to anyone holding a signed link
    (``signed``: for networks that fetch a reply's image). A storage backend
    with its own URLs (S3 and the like) gives them."""
    url = default_storage.url(name)
    if url.startswith(("http://", "https://")):
        return url
    path = reverse("inbox:media", args=[name])
    if signed:
        token = signing.TimestampSigner(salt=MEDIA_SALT).sign(name)[len(name) + 1 :]  # "<time>:<signature>"
        path += "?" + urlencode({"s": token})
    return path


def media_signature_valid(name: str, signature: str) -> bool:
    """Whether ``signature`` (from a signed link) opens ``name`` now."""
    try:
        signing.TimestampSigner(salt=MEDIA_SALT).unsign(f"{name}:{signature}", max_age=MEDIA_LINK_SECONDS)
    except signing.BadSignature:
        return False
    return True


def stored_url(attachment: dict) -> str:
    """Where the page shows the attachment's picture: the stored copy, else the network's URL."""
    if attachment.get("stored"):
        return media_url(attachment["stored"])
    return picture_source(attachment)


def reply_image_store(*, upload) -> dict:
    """Keep an image a gestor attaches to a reply; return its attachment dict."""
    extension = mimetypes.guess_extension(upload.content_type or "") or ".jpg"
    name = default_storage.save(f"replies/{uuid.uuid4().hex}{extension}", upload)
    return {
        "type": "image",
        "url": "",
        "preview_url": "",
        "title": getattr(upload, "name", "") or "",
        "latitude": None,
        "longitude": None,
        "mime_type": upload.content_type or "image/jpeg",
        "stored": name,
    }


def reply_with_image_create(
    *,
    conversation,
    sender,
    body: str,
    private: bool = False,
    image=None,
    after: int | None = None,
    force: bool = False,
) -> Message:
    """A reply (``replies.reply_create``, ``after`` and ``force`` included) with an image kept
    in storage and sent by the connector. Refused when the network does not take images in
    this kind of reply."""
    from django.utils.translation import gettext as _

    from channels.connectors.registry import connector_for
    from inbox.services.replies import ReplyRefused, reply_create

    if image is not None:
        to_private = private or conversation.is_private
        if not connector_for(conversation.channel).reply_image_allowed(private=to_private):
            raise ReplyRefused(_("This network does not take images in this kind of reply."))
    with transaction.atomic():
        message = reply_create(
            conversation=conversation, sender=sender, body=body, private=private, after=after, force=force
        )
        if image is not None:
            # In the same transaction: the reply is sent after commit, with its image.
            message.attachments = [reply_image_store(upload=image)]
            message.save(update_fields=["attachments"])
    return message


def public_url(name: str) -> str:
    """The absolute URL of a stored file, for networks that fetch images by URL."""
    url = media_url(name, signed=True)
    if url.startswith(("http://", "https://")):
        return url
    return settings.MOSTRADOR_PUBLIC_URL.rstrip("/") + url
