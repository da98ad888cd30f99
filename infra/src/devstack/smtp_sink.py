"""Local SMTP sink: accepts every message and stores it as one .eml file.

Run as `python -m devstack.smtp_sink --host 127.0.0.1 --port 1025 --dir MAILDIR`.
File names sort by arrival (nanosecond timestamp, then a uuid); each file is
written under a dot-name and renamed, so readers never see half a message.
The envelope is prepended as X-Envelope-From / X-Envelope-To headers, because
Bcc recipients appear nowhere else.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import time
import uuid
from functools import partial
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

log = logging.getLogger("devstack.smtp_sink")


def store_message(mail_dir: Path, mail_from: str, rcpt_tos: list[str], content: bytes) -> Path:
    name = f"{time.time_ns():020d}-{uuid.uuid4().hex}.eml"
    envelope = f"X-Envelope-From: <{mail_from}>\r\nX-Envelope-To: {', '.join(rcpt_tos)}\r\n"
    tmp = mail_dir / f".{name}.tmp"
    with tmp.open("wb") as handle:
        handle.write(envelope.encode() + content)
        handle.flush()
        os.fsync(handle.fileno())
    final = mail_dir / name
    tmp.replace(final)
    return final


class MaildirHandler:
    def __init__(self, mail_dir: Path) -> None:
        self.mail_dir = mail_dir

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        path = store_message(self.mail_dir, envelope.mail_from or "", list(envelope.rcpt_tos), content)
        log.info("stored %s from=%s to=%s", path.name, envelope.mail_from, ",".join(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, mail_dir: Path) -> None:
    loop = asyncio.get_running_loop()
    # hostname given explicitly: the default, socket.getfqdn(), can stall on DNS.
    factory = partial(
        SMTP, MaildirHandler(mail_dir), hostname="devstack-smtp-sink", enable_SMTPUTF8=True, decode_data=False
    )
    server = await loop.create_server(factory, host, port)
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    print(f"smtp sink listening on {host}:{port}, writing to {mail_dir}", flush=True)
    await stopping.wait()
    server.close()
    await server.wait_closed()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.smtp_sink", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", type=Path, required=True, help="directory receiving one .eml per message")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # one line per SMTP command otherwise
    args.dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(serve(args.host, args.port, args.dir))


if __name__ == "__main__":
    main()
