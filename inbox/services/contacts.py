"""People's names from their network profile.

Messenger and Instagram Direct deliver only a page- or Instagram-scoped id.
A contact created that way, with no name, owes a profile read: its
``profile_fetched_at`` is NULL (the debt, recorded with the contact), a task
queued after commit reads the profile (``Connector.fetch_profile``) outside
any ingest transaction, and the sweep settles what the broker lost and
refreshes the names of people who wrote in the last week once a week. A
failed read never blocks ingest: transient errors are retried by the sweep,
permanent ones (no permission, person gone) are recorded as read.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from channels.connectors.base import ConnectorError
from channels.connectors.registry import connector_class, connector_for, kinds
from core.queue import dispatch_on_commit
from inbox.models import Contact

logger = logging.getLogger(__name__)

REFRESH_AFTER = timedelta(days=7)


def _profile_kinds() -> list[str]:
    return [kind for kind in kinds() if connector_class(kind).fetches_profiles]


def contact_profiles_owe(*, contacts: list[Contact]) -> None:
    """Queue a profile read, after commit, for nameless contacts of networks that give only ids."""
    kinds_ = set(_profile_kinds())
    owed = sorted(
        {c.pk for c in contacts if not c.display_name and c.profile_fetched_at is None and c.channel.kind in kinds_}
    )
    if owed:
        from inbox.tasks import contact_profiles_fetch_task

        dispatch_on_commit(contact_profiles_fetch_task, args=(owed,))


def contact_profiles_fetch(*, contact_ids: list[int] | None = None, limit: int = 100) -> int:
    """Read the profiles of these contacts (or, for the sweep, of those owed and
    those due a weekly refresh); return how many names were read."""
    profile_kinds = _profile_kinds()
    if contact_ids is not None:
        due = Contact.objects.filter(pk__in=contact_ids, profile_fetched_at__isnull=True)
    else:
        week_ago = timezone.now() - REFRESH_AFTER
        due = Contact.objects.filter(
            Q(profile_fetched_at__isnull=True, display_name="")
            | Q(profile_fetched_at__lt=week_ago, conversations__last_inbound_at__gte=week_ago)
        )
    due = due.filter(channel__kind__in=profile_kinds, channel__active=True).exclude(external_id__startswith="unknown:")
    read = 0
    for contact in due.select_related("channel").distinct().order_by("id")[:limit]:
        try:
            profile = connector_for(contact.channel).fetch_profile(contact.external_id)
        except ConnectorError as exc:
            logger.info("Profile of contact %s not read: %s", contact.pk, exc.message)
            if exc.permanent:
                Contact.objects.filter(pk=contact.pk).update(profile_fetched_at=timezone.now())
            continue
        changes: dict = {"profile_fetched_at": timezone.now()}
        if profile is not None:
            if profile.display_name:
                changes["display_name"] = profile.display_name[:200]
                read += 1
            if profile.handle and profile.handle != contact.external_id:
                changes["handle"] = profile.handle[:200]
            if profile.profile_url:
                changes["profile_url"] = profile.profile_url[:500]
        Contact.objects.filter(pk=contact.pk).update(**changes)
    return read
