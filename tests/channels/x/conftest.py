def poll(channel, *, force=True):
    """Poll a channel and run what it queues after commit (the ingest drain), as a worker would."""
    from django.test import TestCase

    from channels import polling

    with TestCase.captureOnCommitCallbacks(execute=True):
        return polling.channel_poll(channel_id=channel.pk, force=force)
