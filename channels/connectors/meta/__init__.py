"""Meta: Facebook Pages (feed comments, visitor posts), Messenger, and Instagram
(comments and direct messages), through one app's webhook and the Graph API."""
