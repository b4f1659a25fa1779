#!/usr/bin/python3
"""A real SMTP server on loopback for tests (Debian's python3-aiosmtpd).

Usage:
  smtp_sink.py --port 0 --spool FILE [--refuse ADDRESS]... [--auth USER:PASS]
               [--tls-cert CERT --tls-key KEY (--starttls | --implicit-tls)]
               [--host 127.0.0.1]

On start it prints the port it listens on as the first line of stdout (flushed),
then serves until SIGTERM or SIGINT, and exits 0.

--port 0        let the kernel choose the port (the printed line says which).
--spool FILE    every accepted message is appended to FILE as one JSON object
                per line, flushed and fsynced before the final 250 reply, so a
                client that got 250 can read it at once. Fields:
                  mail_from   envelope sender (MAIL FROM), str
                  rcpt_tos    envelope recipients (RCPT TO), [str]
                  data        the raw message as received (UTF-8, invalid bytes
                              replaced), str
                  tls         whether the session was encrypted (STARTTLS or
                              implicit TLS), bool
                  auth_user   the user that authenticated, or null
                  headers     {"Subject", "From", "To", "Date", "Message-ID",
                              "MIME-Version", "Content-Type"}: decoded by
                              Python's email package (RFC 2047 undone)
                  parts       [{"content_type", "charset", "body"}]: the leaf
                              parts, bodies decoded (transfer encoding undone)
                  defects     [str]: what the email parser complained about
--refuse ADDR   answer "550 5.1.1 ... user unknown" to RCPT TO:<ADDR>
                (repeatable; compared case-insensitively).
--auth U:P      offer AUTH PLAIN and LOGIN and require it before MAIL FROM;
                only U with P succeeds.
--starttls      offer STARTTLS and require it before anything but EHLO/NOOP/QUIT
                (needs --tls-cert/--tls-key).
--implicit-tls  SMTPS: TLS from the first byte (needs --tls-cert/--tls-key).
"""

import argparse
import asyncio
import email
import email.policy
import json
import logging
import os
import signal
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, TLSSetupException


class SpoolHandler:
    def __init__(self, spool_path, refused):
        self.spool_path = spool_path
        self.refused = {a.lower() for a in refused}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": raw.decode("utf-8", "replace"),
            "tls": session.ssl is not None
            or server.transport.get_extra_info("ssl_object") is not None,
            "auth_user": session.auth_data.decode("utf-8", "replace")
            if isinstance(session.auth_data, bytes)
            else session.auth_data,
        }
        record.update(parse(raw))
        with open(self.spool_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
            f.flush()
            os.fsync(f.fileno())
        return "250 2.0.0 OK queued"


def parse(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    headers = {}
    for name in ("Subject", "From", "To", "Date", "Message-ID", "MIME-Version", "Content-Type"):
        value = msg.get(name)
        if value is not None:
            headers[name] = str(value)
    parts = []
    defects = [repr(d) for d in msg.defects]
    for part in msg.walk():
        defects.extend(repr(d) for d in part.defects)
        if part.is_multipart():
            continue
        try:
            body = part.get_content()
        except Exception as e:  # A body the parser cannot decode is a defect too.
            defects.append("get_content: %r" % e)
            body = None
        parts.append({
            "content_type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "body": body,
        })
    return {"headers": headers, "parts": parts, "defects": defects}


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == self.user
              and auth_data.password == self.password)
        if not ok:
            return AuthResult(success=False, handled=False)  # 535 5.7.8
        return AuthResult(success=True, auth_data=auth_data.login)


def main():
    p = argparse.ArgumentParser(description="SMTP sink for Tocsin tests")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--spool", required=True)
    p.add_argument("--refuse", action="append", default=[])
    p.add_argument("--auth")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--starttls", action="store_true")
    mode.add_argument("--implicit-tls", action="store_true")
    args = p.parse_args()
    # aiosmtpd logs every session (and a deprecation notice per AUTH) at INFO
    # and WARNING; a test wants stderr for real trouble only.
    log = logging.getLogger("mail.log")
    log.setLevel(logging.ERROR)
    # A client that rejects our self-signed certificate aborts the handshake;
    # tests do that on purpose.
    log.addFilter(lambda r: not (r.exc_info and isinstance(r.exc_info[1], TLSSetupException)))
    # With --implicit-tls the whole session is encrypted, which aiosmtpd cannot
    # tell; without any TLS the test asked for AUTH in the clear on purpose.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")

    tls = None
    if args.starttls or args.implicit_tls:
        if not (args.tls_cert and args.tls_key):
            p.error("--starttls and --implicit-tls need --tls-cert and --tls-key")
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)

    kwargs = {"hostname": "smtp-sink.test", "decode_data": False}
    if args.auth:
        user, sep, password = args.auth.partition(":")
        if not sep:
            p.error("--auth takes USER:PASS")
        kwargs.update(authenticator=Authenticator(user, password), auth_required=True,
                      # AUTH over the implicit-TLS or STARTTLS session, or in the
                      # clear when the test asked for no TLS at all.
                      auth_require_tls=args.starttls)
    if args.starttls:
        kwargs.update(tls_context=tls, require_starttls=True)

    handler = SpoolHandler(args.spool, args.refuse)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, loop=loop, **kwargs), host=args.host, port=args.port,
        ssl=tls if args.implicit_tls else None))
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write("%d\n" % port)
    sys.stdout.flush()

    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    loop.run_until_complete(stop)
    server.close()
    loop.run_until_complete(server.wait_closed())
    loop.close()


if __name__ == "__main__":
    main()
