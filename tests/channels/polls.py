"""Polling a channel in a test as the beat and a worker would: poll now, then drain what it stored."""

from channels import polling
from inbox.services.ingest import inbound_events_drain


def poll(channel):
    outcome = polling.channel_poll(channel_id=channel.pk, force=True)
    inbound_events_drain()
    return outcome
