"""A small fake IMAP4rev1 server and SMTP sink, for the demo and the tests.

Python has no IMAP server in its standard library; this one speaks what the
e-mail connector uses — CAPABILITY, LOGIN, SELECT/EXAMINE (with
``UIDVALIDITY``), ``UID SEARCH`` (``ALL`` and ``UID n:m``/``n:*``), ``UID
FETCH`` (``UID``, ``RFC822.SIZE``, ``BODY.PEEK[]``, ``BODY.PEEK[HEADER]``),
NOOP and LOGOUT — over ``socketserver``; anything else is answered ``BAD``.
The SMTP sink takes EHLO/HELO, AUTH PLAIN and LOGIN, MAIL, RCPT, DATA, RSET,
NOOP and QUIT and keeps every message (``FakeSmtp.sent``). Both keep their
state in memory and run in threads (``serve_imap``, ``serve_smtp``).
"""

from __future__ import annotations

import base64
import hashlib
import re
import socketserver
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from demo.fakes.http import png

ATOM = re.compile(rb'"((?:[^"\\]|\\.)*)"|(\S+)')


@dataclass
class FakeMailbox:
    username: str = "buzon@laespiga.example"
    password: str = "demo-mail-password"  # noqa: S105 - the demo's fake server
    uidvalidity: int = 1
    # folder → [(uid, raw message)]
    folders: dict[str, list[tuple[int, bytes]]] = field(default_factory=lambda: {"INBOX": []})
    commands: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, raw: bytes, folder: str = "INBOX") -> int:
        with self.lock:
            messages = self.folders.setdefault(folder, [])
            uid = (messages[-1][0] if messages else 0) + 1
            messages.append((uid, raw))
            return uid

    def renumber(self) -> None:
        """What a server does when it rebuilds a folder: new UIDs and a new UIDVALIDITY."""
        with self.lock:
            self.uidvalidity += 1
            for name, messages in self.folders.items():
                self.folders[name] = [(100 + i, raw) for i, (_uid, raw) in enumerate(messages, 1)]


def _words(line: bytes) -> list[str]:
    return [
        (
            quoted.replace(b'\\"', b'"').replace(b"\\\\", b"\\") if quoted is not None and plain is None else plain
        ).decode("utf-8", "replace")
        for quoted, plain in ((m.group(1), m.group(2)) for m in ATOM.finditer(line))
    ]


def _uid_set(spec: str, uids: list[int]) -> list[int]:
    highest = max(uids, default=0)
    wanted: set[int] = set()
    for piece in spec.split(","):
        start, _sep, end = piece.partition(":")
        low = highest if start == "*" else int(start)
        high = low if not _sep else (highest if end == "*" else int(end))
        low, high = min(low, high), max(low, high)
        wanted |= {uid for uid in uids if low <= uid <= high}
    return sorted(wanted)


class _ImapHandler(socketserver.StreamRequestHandler):
    server: _ImapServer

    def send(self, line: bytes | str) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        box = self.server.mailbox
        self.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Fake IMAP ready")
        logged_in, selected = False, None
        while line := self.rfile.readline():
            words = _words(line.rstrip(b"\r\n"))
            if len(words) < 2:
                self.send("* BAD empty command")
                continue
            tag, command, args = words[0], words[1].upper(), words[2:]
            with box.lock:
                box.commands.append(" ".join([command, *args[:1]]))
            if command == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN")
                self.send(f"{tag} OK CAPABILITY completed")
            elif command == "NOOP":
                self.send(f"{tag} OK NOOP completed")
            elif command == "LOGOUT":
                self.send("* BYE Fake IMAP logging out")
                self.send(f"{tag} OK LOGOUT completed")
                return
            elif command == "LOGIN":
                if args[:2] == [box.username, box.password]:
                    logged_in = True
                    self.send(f"{tag} OK LOGIN completed")
                else:
                    self.send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials")
            elif not logged_in:
                self.send(f"{tag} BAD Log in first")
            elif command in ("SELECT", "EXAMINE"):
                if args and args[0] in box.folders:
                    selected = args[0]
                    messages = box.folders[selected]
                    self.send(f"* {len(messages)} EXISTS")
                    self.send("* 0 RECENT")
                    self.send(f"* OK [UIDVALIDITY {box.uidvalidity}] UIDs valid")
                    self.send(f"* OK [UIDNEXT {(messages[-1][0] if messages else 0) + 1}] Predicted next UID")
                    self.send(f"{tag} OK [READ-{'ONLY' if command == 'EXAMINE' else 'WRITE'}] {command} completed")
                else:
                    self.send(f"{tag} NO No such folder")
            elif command == "UID" and selected is not None and args:
                self._uid(tag, args[0].upper(), args[1:], box.folders[selected])
            else:
                self.send(f"{tag} BAD Command not understood by the fake")

    def _uid(self, tag: str, sub: str, args: list[str], messages: list[tuple[int, bytes]]) -> None:
        uids = [uid for uid, _raw in messages]
        if sub == "SEARCH":
            by_uid = len(args) > 1 and args[0].upper() == "UID"
            found = _uid_set(args[1], uids) if by_uid else uids
            self.send("* SEARCH" + "".join(f" {uid}" for uid in found))
            self.send(f"{tag} OK SEARCH completed")
        elif sub == "FETCH" and len(args) >= 2:
            items = " ".join(args[1:]).upper()
            for position, (uid, raw) in enumerate(messages, 1):
                if uid not in _uid_set(args[0], uids):
                    continue
                head = f"* {position} FETCH (UID {uid}"
                if "RFC822.SIZE" in items:
                    head += f" RFC822.SIZE {len(raw)}"
                if "BODY.PEEK[HEADER]" in items:
                    header = raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n" if b"\r\n\r\n" in raw else raw
                    self.wfile.write(f"{head} BODY[HEADER] {{{len(header)}}}\r\n".encode() + header + b")\r\n")
                elif "BODY.PEEK[]" in items or "RFC822)" in items:
                    self.wfile.write(f"{head} BODY[] {{{len(raw)}}}\r\n".encode() + raw + b")\r\n")
                else:
                    self.send(head + ")")
            self.send(f"{tag} OK FETCH completed")
        else:
            self.send(f"{tag} BAD UID {sub} not understood by the fake")


class _ImapServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    mailbox: FakeMailbox


def serve_imap(mailbox: FakeMailbox, host: str = "127.0.0.1", port: int = 0) -> _ImapServer:
    server = _ImapServer((host, port), _ImapHandler)
    server.mailbox = mailbox
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- SMTP


@dataclass
class FakeSmtp:
    username: str = "buzon@laespiga.example"
    password: str = "demo-mail-password"  # noqa: S105 - the demo's fake server
    # (envelope from, envelope recipients, message bytes)
    sent: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _SmtpHandler(socketserver.StreamRequestHandler):
    server: _SmtpServer

    def send(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        state = self.server.state
        self.send("220 fake-smtp ESMTP ready")
        sender, recipients = "", list[str]()
        while line := self.rfile.readline():
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = text.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.send("250-fake-smtp")
                self.send("250-AUTH PLAIN LOGIN")
                self.send("250 8BITMIME")
            elif verb == "AUTH":
                self._auth(text, state)
            elif verb == "MAIL":
                sender, recipients = text.partition(":")[2].strip().strip("<>").split(">")[0], []
                self.send("250 OK")
            elif verb == "RCPT":
                address = text.partition(":")[2].strip().strip("<>").split(">")[0]
                if address in state.refuse:
                    self.send("550 No such user here")
                else:
                    recipients.append(address)
                    self.send("250 OK")
            elif verb == "DATA":
                self.send("354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                with state.lock:
                    state.sent.append((sender, recipients, data))
                self.send("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.send("250 OK")
            elif verb == "QUIT":
                self.send("221 Bye")
                return
            else:
                self.send("502 Not implemented by the fake")

    def _auth(self, text: str, state: FakeSmtp) -> None:
        parts = text.split()
        mechanism = parts[1].upper() if len(parts) > 1 else ""
        if mechanism == "PLAIN":
            token = parts[2] if len(parts) > 2 else self._ask("")
            _authz, user, password = base64.b64decode(token).decode().split("\0")
        elif mechanism == "LOGIN":
            user = base64.b64decode(parts[2] if len(parts) > 2 else self._ask("VXNlcm5hbWU6")).decode()
            password = base64.b64decode(self._ask("UGFzc3dvcmQ6")).decode()
        else:
            self.send("504 Unrecognized authentication type")
            return
        self.send(
            "235 Authentication successful" if (user, password) == (state.username, state.password) else "535 Bad"
        )

    def _ask(self, challenge: str) -> str:
        self.send(f"334 {challenge}")
        return self.rfile.readline().decode().strip()


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: FakeSmtp


def serve_smtp(state: FakeSmtp, host: str = "127.0.0.1", port: int = 0) -> _SmtpServer:
    server = _SmtpServer((host, port), _SmtpHandler)
    server.state = state
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- The demo's mailbox


def _mail(sender: str, subject: str, text: str, when, **headers) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "La Espiga <buzon@laespiga.example>"
    message["Subject"] = subject
    message["Date"] = format_datetime(when)
    message["Message-ID"] = headers.pop("message_id")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


def demo_mailbox(now) -> FakeMailbox:
    """A few e-mails: a thread of three, an HTML-only one with a picture (from a
    person who also used the website form), an auto-reply and a bounce."""
    box = FakeMailbox()
    root = "<pedido-boda@novios.example>"
    box.add(
        bytes(
            _mail(
                "Marta Gil <marta@novios.example>",
                "Tarta para nuestra boda",
                "Hola, nos casamos el 14 de marzo. ¿Hacéis tartas de tres pisos para 120 personas?",
                now - timedelta(hours=6),
                message_id=root,
            )
        )
    )
    box.add(
        bytes(
            _mail(
                "Marta Gil <marta@novios.example>",
                "Re: Tarta para nuestra boda",
                "Perdón, se me olvidó: uno de los invitados es celíaco.",
                now - timedelta(hours=5, minutes=40),
                message_id="<pedido-boda-2@novios.example>",
                In_Reply_To=root,
                References=root,
            )
        )
    )
    box.add(
        bytes(
            _mail(
                "Marta Gil <marta@novios.example>",
                "Re: Tarta para nuestra boda",
                "¿Podríamos pasar a probar sabores el sábado por la mañana?",
                now - timedelta(hours=2),
                message_id="<pedido-boda-3@novios.example>",
                In_Reply_To="<pedido-boda-2@novios.example>",
                References=f"{root} <pedido-boda-2@novios.example>",
            )
        )
    )
    # She also wrote on the website form (seed_demo): the two show as one person's history.
    html = _mail(
        "Ana Belén Ortiz <anabelen.ortiz@example.com>",
        "Foto del pan sin gluten",
        "",
        now - timedelta(hours=3),
        message_id="<foto-pan@example.com>",
    )
    html.set_content(
        "<html><head><style>p{color:red}</style></head><body><p>Hola,</p><p>os mando la foto del pan que "
        "compré el domingo: estaba <b>perfecto</b> &amp; crujiente.</p><script>alert(1)</script></body></html>",
        subtype="html",
    )
    html.add_attachment(png(), maintype="image", subtype="png", filename="pan.png")
    box.add(bytes(html))
    box.add(
        bytes(
            _mail(
                "Proveedor Harinas <pedidos@harinas.example>",
                "Respuesta automática: Pedido semanal",
                "Estoy fuera de la oficina hasta el lunes. Para urgencias, llame al 976 000 000.",
                now - timedelta(hours=1),
                message_id="<ooo-1@harinas.example>",
                Auto_Submitted="auto-replied",
            )
        )
    )
    box.add(dsn_bounce("jorge@dominio-inexistente.example", "<bounced-reply@laespiga.example>", now))
    return box


def dsn_bounce(recipient: str, bounced_id: str, when) -> bytes:
    """A delivery status notification (RFC 3464) for one of our messages."""
    return f"""From: Mail Delivery System <MAILER-DAEMON@mail.laespiga.example>
To: buzon@laespiga.example
Subject: Undelivered Mail Returned to Sender
Date: {format_datetime(when - timedelta(minutes=30))}
Message-ID: <bounce-{hashlib.sha256(bounced_id.encode()).hexdigest()[:16]}@mail.laespiga.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="==bounce=="

--==bounce==
Content-Type: text/plain; charset=utf-8

Your message could not be delivered to {recipient}.

--==bounce==
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.laespiga.example

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--==bounce==
Content-Type: text/rfc822-headers

From: buzon@laespiga.example
To: {recipient}
Subject: Re: Pedido
Message-ID: {bounced_id}

--==bounce==--
""".replace("\n", "\r\n").encode()
