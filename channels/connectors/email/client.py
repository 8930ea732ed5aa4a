"""IMAP (reading the mailbox) and SMTP (sending replies) on the standard library.

``imaplib`` and ``smtplib`` speak everything Mostrador needs (IMAP4rev1 UID
commands, STARTTLS or implicit TLS, AUTH), so no dependency is added. Errors
become ``ConnectorError``: a refused login is a credentials problem (the
channel is disabled until the CM fixes it); a refused recipient is permanent;
timeouts and dropped connections are transient.
"""

from __future__ import annotations

import imaplib
import re
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.message import EmailMessage

from channels.connectors.base import ConnectorError

TIMEOUT = 30
FETCHED = re.compile(rb"UID (\d+)")
SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: str  # "ssl", "starttls" or "none"
    username: str
    password: str


@contextmanager
def imap_session(settings: MailSettings, folder: str) -> Iterator[tuple[imaplib.IMAP4, str]]:
    """A logged-in, read-only session on ``folder`` and its UIDVALIDITY."""
    try:
        if settings.security == "ssl":
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                settings.host, settings.port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT
            )
        else:
            conn = imaplib.IMAP4(settings.host, settings.port, timeout=TIMEOUT)
            if settings.security == "starttls":
                conn.starttls(ssl.create_default_context())
    except (OSError, imaplib.IMAP4.error) as exc:
        raise ConnectorError(f"Could not reach the IMAP server: {exc}") from exc
    try:
        try:
            conn.login(settings.username, settings.password)
        except imaplib.IMAP4.error as exc:
            raise ConnectorError(f"The IMAP server refused the login: {exc}", credentials=True) from exc
        status, _data = conn.select(_quoted(folder), readonly=True)
        if status != "OK":
            raise ConnectorError(f"No folder {folder!r} in the mailbox.", permanent=True)
        _name, validity = conn.response("UIDVALIDITY")
        yield conn, (validity[0] or b"0").decode() if validity and validity[0] else "0"
    except (OSError, imaplib.IMAP4.abort) as exc:
        raise ConnectorError(f"The IMAP connection failed: {exc}") from exc
    except imaplib.IMAP4.error as exc:
        raise ConnectorError(f"The IMAP server answered with an error: {exc}") from exc
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            conn.logout()


def uids_after(conn: imaplib.IMAP4, last: int) -> list[int]:
    """UIDs above ``last`` (``n:*`` also names the highest UID when none is higher: filtered)."""
    status, data = conn.uid("SEARCH", "UID", f"{last + 1}:*") if last else conn.uid("SEARCH", "ALL")
    if status != "OK":
        raise ConnectorError(f"UID SEARCH failed: {data!r}")
    return sorted(uid for uid in (int(x) for x in b" ".join(d or b"" for d in data).split()) if uid > last)


def sizes(conn: imaplib.IMAP4, uids: list[int]) -> dict[int, int]:
    status, data = conn.uid("FETCH", ",".join(map(str, uids)), "(UID RFC822.SIZE)")
    if status != "OK":
        raise ConnectorError(f"UID FETCH failed: {data!r}")
    found = {}
    for line in data:
        line = line[0] if isinstance(line, tuple) else line
        uid, size = FETCHED.search(line or b""), SIZE.search(line or b"")
        if uid and size:
            found[int(uid.group(1))] = int(size.group(1))
    return found


def fetch(conn: imaplib.IMAP4, uid: int, *, headers_only: bool = False) -> bytes:
    """One message's bytes (or only its header), leaving it unread (``BODY.PEEK``)."""
    section = "BODY.PEEK[HEADER]" if headers_only else "BODY.PEEK[]"
    status, data = conn.uid("FETCH", str(uid), f"({section})")
    if status != "OK":
        raise ConnectorError(f"UID FETCH {uid} failed: {data!r}")
    for part in data:
        if isinstance(part, tuple) and len(part) == 2:
            return part[1]
    raise ConnectorError(f"Message {uid} is no longer in the mailbox.", permanent=True)


def smtp_send(settings: MailSettings, message: EmailMessage) -> None:
    """Send ``message`` once; raise ``ConnectorError``."""
    try:
        if settings.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=TIMEOUT, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
        with smtp:
            if settings.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password)
            smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise ConnectorError(f"The SMTP server refused the login: {exc}", credentials=True) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise ConnectorError(f"The mail server refused the recipient: {exc}", permanent=True) from exc
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise ConnectorError(f"The SMTP server could not take the message: {exc}") from exc


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
