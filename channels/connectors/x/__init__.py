"""X (Twitter): mentions and direct messages through the v2 API with tweepy,
Account Activity webhooks, and the client used by listening."""
