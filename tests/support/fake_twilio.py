#!/usr/bin/python3
"""A fake Twilio REST API on loopback for tests: the real wire format of
Messages.json and Calls.json (API version 2010-04-01), selectable failures, and
signed callbacks (status callbacks, inbound SMS, Gather) like Twilio sends.
Python 3 standard library only.

Usage:
  fake_twilio.py [--port 0] [--host 127.0.0.1] [--account-sid SID]
                 [--auth-token TOKEN] [--number E164] [--log FILE]
                 [--mode ok|500|429|hang|close] [--callbacks]
                 [--callback-delay SECONDS] [--hang-seconds SECONDS]
                 [--undeliverable E164]...

On start it prints the port it listens on as the first line of stdout
(flushed), then serves (one thread per connection, HTTP/1.1) until SIGTERM or
SIGINT, and exits 0.

Options:
--port N            port to listen on; 0 lets the kernel choose (default 0).
--host ADDR         address to listen on (default 127.0.0.1).
--account-sid SID   the account (default ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa).
--auth-token TOKEN  its auth token (default "fake-auth-token"): the basic-auth
                    password, and the key of every X-Twilio-Signature it sends.
--number E164       the account's phone number: the From of inbound SMS and
                    the default From/To of Gather callbacks (+15005550006).
--log FILE          append every request received, and every callback sent, as
                    one JSON object per line (flushed before the response is
                    written). Fields: "kind" ("api", "control"; "callback",
                    "inbound", "gather" for what it sent),
                    "time", "method", "path", "query", "headers" (names
                    lower-cased), "auth" ({"user", "ok"}), "form" ([[name,
                    value], ...] in order), "params" ({name: last value}),
                    "json" (control bodies), "status" (the HTTP status
                    answered; null for hang/close), "outcome" ("answered",
                    "hang", "close"), "sid" (for an accepted message/call).
                    Callback lines: "url", "form", "signature", "status" (the
                    receiver's HTTP status or null), "error".
--mode MODE         how the REST API answers, until changed (default ok):
                      ok     normal Twilio behaviour (below)
                      500    500 {"code": 20500, ...}
                      429    429 {"code": 20429, ...} with Retry-After: 1
                      hang   read the request, never answer; the connection is
                             closed after --hang-seconds (default 120), when
                             POST /_control sets a mode, or at exit
                      close  send the head and part of a 201 body, then close
                             the connection (a truncated response)
--callbacks         after accepting a message or call with a StatusCallback,
                    POST signed status callbacks to it (see below).
--callback-delay S  seconds before the first callback and between callbacks
                    (default 0.05).
--undeliverable N   messages to N end "undelivered" (ErrorCode 30003), calls
                    to N end "no-answer" (repeatable).

REST API (HTTP basic auth ACCOUNT_SID:AUTH_TOKEN, form-encoded bodies):
  POST /2010-04-01/Accounts/{Sid}/Messages.json  To, From | MessagingServiceSid,
       Body, [StatusCallback]  -> 201 message JSON {"sid": "SM...", "status":
       "queued", ...}
  POST /2010-04-01/Accounts/{Sid}/Calls.json  To, From, Url | Twiml,
       [StatusCallback, StatusCallbackEvent...]  -> 201 call JSON {"sid":
       "CA...", "status": "queued", ...}
  GET  /2010-04-01/Accounts/{Sid}/Messages/{MessageSid}.json, .../Calls/{CallSid}.json
  Errors are Twilio's JSON {"code", "message", "more_info", "status"}: 401 code
  20003 on bad credentials, 404 code 20404 for another account or an unknown
  path, 400 with 21211 for a "To" that is not E.164 (+ and 2..15 digits), 21604
  / 21201 no To, 21603 / 21213 no From, 21602 no Body, 21617 Body over 1600
  characters, 21205 no Url or Twiml.

Status callbacks (--callbacks): form POSTs signed with X-Twilio-Signature (over
the StatusCallback URL and the form parameters), for messages MessageSid,
MessageStatus (sent, then delivered; or undelivered with ErrorCode), SmsSid,
SmsStatus, AccountSid, From, To, ApiVersion; for calls CallSid, CallStatus for
each StatusCallbackEvent asked for (initiated, ringing, answered ->
in-progress, completed; only completed when none was asked for), AccountSid,
From, To, Direction, ApiVersion, SequenceNumber, and CallDuration on the last.

Control endpoints (JSON bodies, no auth; answered 200 with JSON):
  POST /_control          {"mode": "ok"|"500"|"429"|"hang"|"close",
                           "count": N (optional: only the next N API requests,
                           then back to ok), "undeliverable": [E164...]
                           (optional, replaces the list)}
  GET  /_control          {"mode", "count", "undeliverable"}
  GET  /_control/requests every logged line so far, as a JSON array
  POST /_control/inbound  {"url", "from", "body", "to" (default --number)}:
                          POSTs a signed inbound-SMS webhook (MessageSid,
                          SmsSid, SmsMessageSid, AccountSid, From, To, Body,
                          NumMedia=0, NumSegments=1, SmsStatus=received,
                          ApiVersion) to url and answers {"status",
                          "body", "signature", "params", "error"}
  POST /_control/gather   {"url", "digits", "callSid", "from" (default
                          --number), "to" (default +15555550100)}: POSTs a
                          signed Gather callback (AccountSid, ApiVersion,
                          CallSid, CallStatus=in-progress, Called, Caller,
                          Digits, Direction=outbound-api, FinishedOnKey, From,
                          To) to url; answers like /_control/inbound.
"""

import argparse
import base64
import datetime
import email.utils
import hashlib
import hmac
import json
import re
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_VERSION = "2010-04-01"
E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
MODES = ("ok", "500", "429", "hang", "close")
MAX_BODY = 1 << 20


def twilio_signature(auth_token, url, pairs):
    """base64(HMAC-SHA1(token, url + name1 + value1 + ...)), sorted by name then
    value, exact duplicates once (as Twilio's libraries compute it)."""
    data = url + "".join(name + value for name, value in sorted(set(pairs)))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def now_rfc2822():
    return email.utils.format_datetime(datetime.datetime.now(datetime.timezone.utc))


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.mode = args.mode
        self.count = None  # API requests left in a non-ok mode; None = until changed.
        self.generation = 0  # Bumped by every POST /_control: releases hung requests.
        self.undeliverable = set(args.undeliverable)
        self.stopping = False
        self.resources = {}  # sid -> resource JSON
        self.logged = []
        self.log_file = open(args.log, "a", encoding="utf-8") if args.log else None
        # Proxy environment variables must not redirect callbacks to loopback.
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def log(self, entry):
        entry.setdefault("time", now_iso())
        line = json.dumps(entry, ensure_ascii=False)
        with self.lock:
            self.logged.append(entry)
            if self.log_file:
                self.log_file.write(line + "\n")
                self.log_file.flush()

    def take_mode(self):
        """Returns the mode for one API request, counting it down."""
        with self.lock:
            mode = self.mode
            if mode != "ok" and self.count is not None:
                self.count -= 1
                if self.count <= 0:
                    self.mode, self.count = "ok", None
            return mode

    def set_mode(self, mode, count):
        with self.lock:
            self.mode, self.count = mode, count
            self.generation += 1
            self.changed.notify_all()

    def hang(self, seconds):
        """Blocks until `seconds` pass, the mode is set again, or the server stops."""
        deadline = time.monotonic() + seconds
        with self.lock:
            generation = self.generation
            while not self.stopping and self.generation == generation:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self.changed.wait(left)

    def stop(self):
        with self.lock:
            self.stopping = True
            self.changed.notify_all()

    def post_signed(self, url, pairs, kind="callback"):
        """POSTs `pairs` form-encoded to `url` with X-Twilio-Signature; logs it."""
        body = urllib.parse.urlencode(pairs).encode()
        signature = twilio_signature(self.args.auth_token, url, pairs)
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "User-Agent": "TwilioProxy/1.1",
        })
        result = {"kind": kind, "url": url, "form": [list(p) for p in pairs],
                  "signature": signature, "status": None, "body": None, "error": None}
        try:
            with self.opener.open(request, timeout=10) as response:
                result["status"] = response.status
                result["body"] = response.read(65536).decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            result["status"] = e.code
            result["body"] = e.read(65536).decode("utf-8", "replace")
        except Exception as e:  # Connection refused, timeout, bad URL: report, don't die.
            result["error"] = str(e)
        self.log(dict(result))
        return result


def twilio_error(status, code, message):
    return status, {"code": code, "message": message,
                    "more_info": "https://www.twilio.com/docs/errors/%d" % code,
                    "status": status}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeTwilio/1.0"
    sys_version = ""

    def log_message(self, format, *args):  # Quiet: the --log file is the record.
        pass

    @property
    def state(self):
        return self.server.state

    # --- plumbing -----------------------------------------------------------------

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def send_json(self, status, obj, extra_headers=()):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def base_entry(self, kind):
        parsed = urllib.parse.urlsplit(self.path)
        return {"kind": kind, "method": self.command, "path": parsed.path,
                "query": parsed.query,
                "headers": {k.lower(): v for k, v in self.headers.items()}}

    def auth(self):
        """Returns (user, ok) from the basic-auth header."""
        value = self.headers.get("Authorization", "")
        if not value.startswith("Basic "):
            return None, False
        try:
            user, _, password = base64.b64decode(value[6:]).decode().partition(":")
        except Exception:
            return None, False
        ok = (hmac.compare_digest(user, self.state.args.account_sid)
              and hmac.compare_digest(password, self.state.args.auth_token))
        return user, ok

    # --- dispatch -----------------------------------------------------------------

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/_control"):
            return self.control("GET", path, b"")
        self.api("GET", path, b"")

    def do_POST(self):
        body = self.read_body()
        if body is None:
            self.close_connection = True
            return self.send_json(*twilio_error(413, 20413, "Request entity too large"))
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/_control"):
            return self.control("POST", path, body)
        self.api("POST", path, body)

    # --- the REST API -------------------------------------------------------------

    def api(self, method, path, body):
        state = self.state
        entry = self.base_entry("api")
        pairs = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        entry["form"] = [list(p) for p in pairs]
        entry["params"] = dict(pairs)
        user, ok = self.auth()
        entry["auth"] = {"user": user, "ok": ok}
        mode = state.take_mode()
        entry["mode"] = mode

        if mode == "hang":
            entry.update(status=None, outcome="hang")
            state.log(entry)
            state.hang(state.args.hang_seconds)
            self.close_connection = True
            return
        if mode == "close":
            entry.update(status=None, outcome="close")
            state.log(entry)
            self.wfile.write(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 400\r\n\r\n{\"sid\": \"SM")
            self.wfile.flush()
            self.close_connection = True
            return
        if mode == "500":
            status, obj = twilio_error(500, 20500, "An internal server error has occurred")
            return self.answer(entry, status, obj)
        if mode == "429":
            status, obj = twilio_error(429, 20429, "Too Many Requests")
            return self.answer(entry, status, obj, [("Retry-After", "1")])

        if not ok:
            status, obj = twilio_error(401, 20003, "Authenticate")
            return self.answer(entry, status, obj,
                               [("WWW-Authenticate", 'Basic realm="Twilio API"')])
        m = re.fullmatch(r"/2010-04-01/Accounts/([^/]+)/(Messages|Calls)(?:/([^/]+))?\.json", path)
        if not m or m.group(1) != state.args.account_sid:
            status, obj = twilio_error(404, 20404,
                                       "The requested resource %s was not found" % path)
            return self.answer(entry, status, obj)
        collection, sid = m.group(2), m.group(3)
        if method == "GET" and sid:
            with state.lock:
                resource = state.resources.get(sid)
            if resource is None:
                status, obj = twilio_error(404, 20404,
                                           "The requested resource %s was not found" % path)
                return self.answer(entry, status, obj)
            return self.answer(entry, 200, resource)
        if method != "POST" or sid:
            status, obj = twilio_error(405, 20004, "Method not allowed")
            return self.answer(entry, status, obj)
        params = entry["params"]
        if collection == "Messages":
            status, obj = self.create_message(params)
        else:
            status, obj = self.create_call(params, pairs)
        if status == 201:
            entry["sid"] = obj["sid"]
            with state.lock:
                state.resources[obj["sid"]] = obj
        self.answer(entry, status, obj)
        if status == 201 and state.args.callbacks and params.get("StatusCallback"):
            threading.Thread(target=self.send_status_callbacks,
                             args=(collection, obj, params, pairs), daemon=True).start()

    def answer(self, entry, status, obj, extra_headers=()):
        entry.update(status=status, outcome="answered")
        self.state.log(entry)
        self.send_json(status, obj, extra_headers)

    def create_message(self, p):
        to = p.get("To", "")
        if not to:
            return twilio_error(400, 21604, "A 'To' phone number is required.")
        if not E164.match(to):
            return twilio_error(400, 21211, "The 'To' number %s is not a valid phone number." % to)
        if not p.get("From") and not p.get("MessagingServiceSid"):
            return twilio_error(400, 21603, "A 'From' phone number is required.")
        if not p.get("Body") and not p.get("MediaUrl"):
            return twilio_error(400, 21602, "Message body is required.")
        if len(p.get("Body", "")) > 1600:
            return twilio_error(400, 21617,
                                "The concatenated message body exceeds the 1600 character limit.")
        sid = "SM" + uuid.uuid4().hex
        account = self.state.args.account_sid
        now = now_rfc2822()
        return 201, {
            "account_sid": account, "api_version": API_VERSION, "body": p.get("Body", ""),
            "date_created": now, "date_sent": None, "date_updated": now,
            "direction": "outbound-api", "error_code": None, "error_message": None,
            "from": p.get("From") or None,
            "messaging_service_sid": p.get("MessagingServiceSid") or None,
            "num_media": "0", "num_segments": str(max(1, (len(p.get("Body", "")) + 152) // 153)),
            "price": None, "price_unit": "USD", "sid": sid,
            "status": "accepted" if p.get("MessagingServiceSid") else "queued",
            "subresource_uris": {
                "media": "/%s/Accounts/%s/Messages/%s/Media.json" % (API_VERSION, account, sid)},
            "to": p["To"],
            "uri": "/%s/Accounts/%s/Messages/%s.json" % (API_VERSION, account, sid),
        }

    def create_call(self, p, pairs):
        to = p.get("To", "")
        if not to:
            return twilio_error(400, 21201, "No 'To' number is specified")
        if not E164.match(to):
            return twilio_error(400, 21211, "The 'To' number %s is not a valid phone number." % to)
        if not p.get("From"):
            return twilio_error(400, 21213, "No 'From' number is specified")
        if not p.get("Url") and not p.get("Twiml") and not p.get("ApplicationSid"):
            return twilio_error(400, 21205, "Url, Twiml or ApplicationSid is required")
        sid = "CA" + uuid.uuid4().hex
        account = self.state.args.account_sid
        now = now_rfc2822()
        return 201, {
            "account_sid": account, "annotation": None, "answered_by": None,
            "api_version": API_VERSION, "caller_name": None, "date_created": now,
            "date_updated": now, "direction": "outbound-api", "duration": None,
            "end_time": None, "forwarded_from": None, "from": p["From"],
            "from_formatted": p["From"], "group_sid": None, "parent_call_sid": None,
            "phone_number_sid": None, "price": None, "price_unit": "USD", "sid": sid,
            "start_time": None, "status": "queued", "to": to, "to_formatted": to,
            "uri": "/%s/Accounts/%s/Calls/%s.json" % (API_VERSION, account, sid),
        }

    def send_status_callbacks(self, collection, resource, params, pairs):
        state = self.state
        url = params["StatusCallback"]
        account = state.args.account_sid
        to, sid = resource["to"], resource["sid"]
        with state.lock:
            undeliverable = to in state.undeliverable
        if collection == "Messages":
            steps = [("sent", []), ("delivered", [])]
            if undeliverable:
                steps = [("sent", []), ("undelivered", [("ErrorCode", "30003")])]
            for status, extra in steps:
                time.sleep(state.args.callback_delay)
                form = [("AccountSid", account), ("ApiVersion", API_VERSION),
                        ("From", resource["from"] or state.args.number),
                        ("MessageSid", sid), ("MessageStatus", status),
                        ("SmsSid", sid), ("SmsStatus", status), ("To", to)] + extra
                if resource.get("messaging_service_sid"):
                    form.append(("MessagingServiceSid", resource["messaging_service_sid"]))
                state.post_signed(url, form)
            return
        asked = []
        for name, value in pairs:
            if name == "StatusCallbackEvent":
                asked += value.split()
        events = [e for e in ("initiated", "ringing", "answered", "completed") if e in asked]
        if "completed" not in events:
            events.append("completed")
        final = "no-answer" if undeliverable else "completed"
        call_status = {"initiated": "initiated", "ringing": "ringing",
                       "answered": "in-progress", "completed": final}
        if undeliverable and "answered" in events:
            events.remove("answered")
        for n, event in enumerate(events):
            time.sleep(state.args.callback_delay)
            form = [("AccountSid", account), ("ApiVersion", API_VERSION),
                    ("CallSid", sid), ("CallStatus", call_status[event]),
                    ("CallbackSource", "call-progress-events"),
                    ("Direction", "outbound-api"), ("From", resource["from"]),
                    ("SequenceNumber", str(n)), ("Timestamp", now_rfc2822()), ("To", to)]
            if event == "completed":
                form.append(("CallDuration", "0" if undeliverable else "12"))
            state.post_signed(url, form)

    # --- control ------------------------------------------------------------------

    def control(self, method, path, body):
        state = self.state
        entry = self.base_entry("control")
        try:
            request = json.loads(body.decode() or "{}") if method == "POST" else {}
            if not isinstance(request, dict):
                raise ValueError("not a JSON object")
        except ValueError as e:
            return self.answer(entry, 400, {"error": "bad JSON: %s" % e})
        entry["json"] = request
        if path == "/_control" and method == "GET":
            with state.lock:
                obj = {"mode": state.mode, "count": state.count,
                       "undeliverable": sorted(state.undeliverable)}
            return self.answer(entry, 200, obj)
        if path == "/_control/requests" and method == "GET":
            with state.lock:
                logged = list(state.logged)
            return self.answer(entry, 200, logged)
        if path == "/_control" and method == "POST":
            mode = request.get("mode", "ok")
            count = request.get("count")
            if mode not in MODES or (count is not None and
                                     (not isinstance(count, int) or count < 1)):
                return self.answer(entry, 400, {"error": "mode must be one of %s, count >= 1"
                                                % "|".join(MODES)})
            if "undeliverable" in request:
                with state.lock:
                    state.undeliverable = set(request["undeliverable"])
            state.set_mode(mode, count if mode != "ok" else None)
            return self.answer(entry, 200, {"mode": mode, "count": count})
        if path == "/_control/inbound" and method == "POST":
            if not request.get("url") or not request.get("from"):
                return self.answer(entry, 400, {"error": "url and from are required"})
            sid = "SM" + uuid.uuid4().hex
            form = [("AccountSid", state.args.account_sid), ("ApiVersion", API_VERSION),
                    ("Body", request.get("body", "")), ("From", request["from"]),
                    ("MessageSid", sid), ("NumMedia", "0"), ("NumSegments", "1"),
                    ("SmsMessageSid", sid), ("SmsSid", sid), ("SmsStatus", "received"),
                    ("To", request.get("to") or state.args.number)]
            return self.answer(entry, 200, self.forward(request["url"], form, "inbound"))
        if path == "/_control/gather" and method == "POST":
            if not request.get("url") or "digits" not in request:
                return self.answer(entry, 400, {"error": "url and digits are required"})
            caller = request.get("from") or state.args.number
            callee = request.get("to") or "+15555550100"
            form = [("AccountSid", state.args.account_sid), ("ApiVersion", API_VERSION),
                    ("CallSid", request.get("callSid") or "CA" + uuid.uuid4().hex),
                    ("CallStatus", "in-progress"), ("Called", callee), ("Caller", caller),
                    ("Digits", str(request["digits"])), ("Direction", "outbound-api"),
                    ("FinishedOnKey", ""), ("From", caller), ("To", callee)]
            return self.answer(entry, 200, self.forward(request["url"], form, "gather"))
        return self.answer(entry, 404, {"error": "unknown control endpoint %s %s" % (method, path)})

    def forward(self, url, form, kind):
        result = self.state.post_signed(url, form, kind)
        return {"status": result["status"], "body": result["body"],
                "signature": result["signature"], "params": dict(form),
                "error": result["error"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--account-sid", default="AC" + "a" * 32)
    parser.add_argument("--auth-token", default="fake-auth-token")
    parser.add_argument("--number", default="+15005550006")
    parser.add_argument("--log")
    parser.add_argument("--mode", choices=MODES, default="ok")
    parser.add_argument("--callbacks", action="store_true")
    parser.add_argument("--callback-delay", type=float, default=0.05)
    parser.add_argument("--hang-seconds", type=float, default=120.0)
    parser.add_argument("--undeliverable", action="append", default=[])
    args = parser.parse_args()

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.state = State(args)

    def stop(signum, frame):
        server.state.stop()
        # shutdown() waits for serve_forever(), which runs on this thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
