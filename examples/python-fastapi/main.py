#!/usr/bin/python3
"""Portolan example backend: FastAPI served by uvicorn on a socket this process binds itself (bind-and-hold).

Contract (docs/protocol.md): reserve a port (API_PORT, else PORTOLAN_PORT_RANGE / 8008-8020, else OS-assigned),
keep it bound and listening, THEN print one flushed ``port_info`` JSON line on stdout, then serve on that very
socket. Sidecar mode (default) stops on stdin EOF or on the line ``sidecar shutdown``: it stops accepting at once,
lets requests in flight finish for up to DRAIN_SECONDS (1 s), then exits 0.

Protocol v2 (docs/protocol.md, docs/security.md): the announcement carries ``proof`` = HMAC-SHA256 of
PORTOLAN_CHALLENGE and the port under PORTOLAN_IDENTITY_KEY; /health answers a fresh ``X-Portolan-Challenge`` with
``X-Portolan-Proof``; with PORTOLAN_API_TOKEN every other request needs ``Authorization: Bearer`` or the docs session
cookie (one-time ticket from POST /auth/ticket, redeemed by GET /auth/login); foreign Origin and Host headers get 403.
Secrets are never printed, logged or echoed (PORTOLAN_TOKEN of protocol v1 is ignored).

Run with Debian's python (python3-fastapi, python3-uvicorn):  /usr/bin/python3 main.py [--standalone] [--port N]
Exit codes: 0 stopped, 2 bad arguments/environment, 3 no port could be reserved.
"""
import argparse
import asyncio
import base64
import binascii
import errno
import hashlib
import hmac
import json
import os
import re
import secrets
import socket
import sys
import threading
import time
from datetime import datetime, timezone

import bind_host
import etcd_registry
import registry

VERSION = "0.1.0"
DEFAULT_RANGE = (8008, 8020)
SHUTDOWN_COMMAND = "sidecar shutdown"
DRAIN_SECONDS = 1.0  # how long a graceful stop lets running requests finish
RELOAD_IDLE_GRACE_SECONDS = 0.3  # a replaced --reload worker keeps idle connections open this long (http_protocol)
SLOW_MAX_MS = 10000
CHALLENGE_HEADER = "X-Portolan-Challenge"
PROOF_HEADER = "X-Portolan-Proof"
PROTOCOL_VERSION = 2
TICKET_LIFETIME = 60.0  # seconds
COOKIE_PREFIX = "portolan_session_"  # + port: cookies are shared by all ports of a host
ALLOW_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOW_HEADERS = f"Authorization, Content-Type, {CHALLENGE_HEADER}"
DEBUG = os.environ.get("DEBUG_PORT_DISCOVERY", "").strip().lower() in ("1", "true", "yes", "on")


class ConfigError(Exception):
    """Bad argument or environment value (exit 2)."""


class NoPort(Exception):
    """No port could be reserved (exit 3)."""


def log(msg):
    print(f"python-backend: {msg}", file=sys.stderr, flush=True)


def debug(port, result):
    if DEBUG:
        print(f"[portolan ports] probe 127.0.0.1:{port} -> {result}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------- port reservation

if os.name == "nt":  # Windows: LockFileEx through msvcrt, the lock Java's FileChannel.tryLock takes there too
    import msvcrt
else:
    import fcntl


def os_lock(fd):
    """Non-blocking exclusive lock of the file behind fd; OSError when another process holds it. Java locks the
    whole file (offset 0, length Long.MAX_VALUE), so the first byte is enough to conflict with it on both kinds."""
    if os.name == "nt":
        os.lseek(fd, 0, os.SEEK_SET)  # msvcrt.locking locks from the current position
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def write_at_start(fd, data):
    if hasattr(os, "pwrite"):
        os.pwrite(fd, data, 0)
    else:  # Windows has no pwrite
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, data)


def lock_dir():
    """Same per-user directory as the Java port finder, so both never hand out the same port at once."""
    if os.environ.get("PORTOLAN_LOCK_DIR"):
        return os.environ["PORTOLAN_LOCK_DIR"]
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        return os.path.join(runtime, "portolan", "ports")
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "portolan", "ports")


def process_start():
    try:
        with open("/proc/self/stat") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat") as f:
            btime = next(int(l.split()[1]) for l in f if l.startswith("btime"))
        t = btime + ticks / os.sysconf("SC_CLK_TCK")
        return datetime.fromtimestamp(t, timezone.utc).isoformat().replace("+00:00", "Z")
    except (OSError, ValueError, StopIteration, IndexError):
        return "unknown"


def try_lock(port):
    """OS lock (fcntl; msvcrt on Windows) on <dir>/<port>.lock, compatible with Java's FileChannel.tryLock. Returns
    an fd, -1 (no lock directory) or None when another process holds it."""
    d = lock_dir()
    try:
        os.makedirs(d, mode=0o700, exist_ok=True)
        fd = os.open(os.path.join(d, f"{port}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as e:
        log(f"cannot use the port lock directory {d} ({e}): port {port} is reserved by bind only")
        return -1
    try:
        os_lock(fd)
    except OSError:
        os.close(fd)
        return None
    # fixed width (63 + newline), no truncate-to-zero: same format as Java, and cheap on ext4
    line = f"pid={os.getpid()} start={process_start()}".ljust(63)[:63] + "\n"
    write_at_start(fd, line.encode("ascii"))
    if os.fstat(fd).st_size > 64:
        os.ftruncate(fd, 64)
    return fd


def ipv6_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


class Reservation:
    """A bound, listening 127.0.0.1 socket, its held [::1] twin and its lock file."""

    def __init__(self, sock, port, twin, lock_fd, in_range):
        self.sock, self.port, self.twin, self.lock_fd, self.in_range = sock, port, twin, lock_fd, in_range

    def release(self):
        for s in (self.sock, self.twin):
            if s is not None:
                s.close()
        if self.lock_fd is not None and self.lock_fd >= 0:
            os.close(self.lock_fd)


def bind_failure(e):
    if e.errno in (errno.EACCES, errno.EPERM):
        return f"not permitted ({e.strerror})"
    if e.errno == errno.EADDRINUSE:
        return f"busy ({e.strerror})"
    return f"not bindable ({e})"


BIND = bind_host.BindHost("127.0.0.1", None)  # PORTOLAN_BIND_HOST, set by main() before the first bind


def try_port(port, check_v6, lock=True):
    """Returns a Reservation or the reason the port is not usable."""
    sock = socket.socket(BIND.family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Java does: TIME_WAIT must not make it busy
    twin, fd = None, None
    try:
        try:
            sock.bind((BIND.address, port))
        except OSError as e:
            why = bind_failure(e)
            if why.startswith("not permitted"):
                log(f"skipping port {port}: {why}")
            debug(port, why)
            return why + " on " + BIND.address
        port = sock.getsockname()[1]
        if check_v6:
            twin = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)  # held, no SO_REUSEADDR: nobody can take it
            twin.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                twin.bind(("::1", port))
            except OSError as e:
                debug(port, bind_failure(e) + " on ::1")
                return bind_failure(e) + " on ::1"
        if lock:
            fd = try_lock(port)
            if fd is None:
                debug(port, "locked by another Portolan allocator")
                return "locked by another Portolan allocator"
        sock.listen(2048)  # listening before the announcement: a client may connect right away
        debug(port, "reserved")
        result = Reservation(sock, port, twin, fd, False)
        sock = twin = None
        return result
    finally:
        if sock is not None:
            sock.close()
        if twin is not None:
            twin.close()


def whole_number(text):
    """int(text) as the Java backends read a port (Integer.parseInt): digits with an optional sign around blanks;
    not Python's own extras ('4_1800' with an underscore)."""
    t = text.strip()
    if not re.fullmatch(r"[+-]?\d+", t):
        raise ValueError(f"not a whole number: {text!r}")
    return int(t)


def reserve(forced, first, last):
    check_v6 = BIND.default and ipv6_available()  # the [::1] twin guards the default loopback bind only
    if forced is not None:
        name, value = forced
        try:
            port = whole_number(value)
        except ValueError:
            raise ConfigError(f"{name}='{value}' is not a port number: expected 0-65535 (0 = OS-assigned)")
        if not 0 <= port <= 65535:
            raise ConfigError(f"{name}={value} is out of range: expected 0-65535 (0 = OS-assigned)")
        if port != 0:
            r = try_port(port, check_v6)
            if isinstance(r, Reservation):
                return r
            raise NoPort(f"{name}={value}: port {port} is {r}; free it, choose another port or unset {name}")
    else:
        for port in range(first, last + 1):
            r = try_port(port, check_v6)
            if isinstance(r, Reservation):
                r.in_range = True
                return r
    last_reason = None
    for _ in range(32):  # OS-assigned fallback (no lock file: the kernel chose a port nobody holds)
        r = try_port(0, check_v6, lock=False)
        if isinstance(r, Reservation):
            if forced is None and first <= r.port <= last:
                r.release()
                continue
            return r
        last_reason = r
    raise NoPort(f"no usable OS-assigned port on 127.0.0.1 (last: {last_reason})")


# ----------------------------------------------------------------------------------------------- protocol v2 security

_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,128}")
_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s,?#]+")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).digest()


def proof(key, nonce, port):
    """base64url(HMAC-SHA256(key, ASCII(nonce) ":" ASCII(port))), no padding (docs/protocol.md)."""
    return b64url(hmac.new(key, f"{nonce}:{port}".encode("ascii"), hashlib.sha256).digest())


def loopback_host(host):
    """127.0.0.1, localhost or [::1], with or without a port (DNS-rebinding guard)."""
    h = (host or "").strip().lower()
    if h.startswith("["):
        end = h.find("]")
        name, port = (h, "") if end < 0 else (h[: end + 1], h[end + 1:])
    else:
        name, _, rest = h.partition(":")
        port = ":" + rest if _ else ""
    return name in ("127.0.0.1", "localhost", "[::1]") and (port == "" or bool(re.fullmatch(r":[0-9]{1,5}", port)))


class Security:
    """The v2 variables and rules: identity proof, bearer token or docs session, Origin/CORS, one-time tickets.
    Secrets are kept out of every message; tickets and sessions only as their SHA-256 digests."""

    def __init__(self, env):
        self.key = self._secret(env, "PORTOLAN_IDENTITY_KEY")
        self.key_raw = None if self.key is None else base64.urlsafe_b64decode(self.key + "=" * (-len(self.key) % 4))
        token = self._secret(env, "PORTOLAN_API_TOKEN")
        if self.key is not None and token is not None and hmac.compare_digest(self.key, token):
            raise ConfigError("PORTOLAN_API_TOKEN equals PORTOLAN_IDENTITY_KEY: they must be two different secrets")
        self.token_digest = None if token is None else sha256(token)
        self.challenge = (env.get("PORTOLAN_CHALLENGE") or "").strip() or None
        if self.challenge is not None and not _NONCE.fullmatch(self.challenge):
            raise ConfigError(f"PORTOLAN_CHALLENGE='{self.challenge[:80]}' is invalid: expected 16-128 characters "
                              "of [A-Za-z0-9_-]")
        self.origins = set()
        for o in (env.get("PORTOLAN_ALLOWED_ORIGINS") or "").split(","):
            o = o.strip()
            if not o:
                continue
            if not _ORIGIN.fullmatch(o):
                raise ConfigError(f"PORTOLAN_ALLOWED_ORIGINS: '{o[:80]}' is not an origin: expected "
                                  "scheme://host[:port] in lower case, without path or wildcard (e.g. tauri://localhost)")
            self.origins.add(o)
        self.lock = threading.Lock()
        self.tickets = {}  # digest -> monotonic expiry
        self.sessions = {}  # digest -> None, oldest first

    @staticmethod
    def _secret(env, name):
        value = (env.get(name) or "").strip()
        if not value:
            return None
        raw = b""
        if _B64URL.fullmatch(value):
            try:
                raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            except (ValueError, binascii.Error):
                raw = b""
        if len(raw) < 16:
            raise ConfigError(f"{name} is invalid (value not shown, {len(value)} characters): expected 32 random "
                              "bytes, base64url without padding")
        return value

    def announcement_proof(self, port):
        return None if self.key is None or self.challenge is None else proof(self.key_raw, self.challenge, port)

    def health_proof(self, header, port):
        nonce = (header or "").strip()
        if self.key is None or not _NONCE.fullmatch(nonce):
            return None
        return proof(self.key_raw, nonce, port)

    def allowed_origin(self, origin, port):
        return origin in (f"http://127.0.0.1:{port}", f"http://localhost:{port}", f"http://[::1]:{port}") \
            or origin in self.origins

    def bearer_ok(self, authorization):
        if self.token_digest is None:
            return True
        a = authorization or ""
        return a[:7].lower() == "bearer " and hmac.compare_digest(sha256(a[7:].strip()), self.token_digest)

    def authorized(self, authorization, cookie, port):
        return self.bearer_ok(authorization) or self.has_session(cookie, port)

    def issue_ticket(self):
        ticket = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self.lock:
            for d in [d for d, expiry in self.tickets.items() if expiry <= now]:
                del self.tickets[d]
            if len(self.tickets) >= 1024:
                raise ValueError("too many outstanding login tickets; retry in a minute")
            self.tickets[sha256(ticket)] = now + TICKET_LIFETIME
        return ticket

    def redeem(self, ticket):
        """A new session value for a known, unused, unexpired ticket (used up now), else None."""
        if not ticket or len(ticket) > 256:
            return None
        with self.lock:
            expiry = self.tickets.pop(sha256(ticket), None)
            if expiry is None or expiry <= time.monotonic():
                return None
            session = secrets.token_urlsafe(32)
            self.sessions[sha256(session)] = None
            while len(self.sessions) > 256:
                del self.sessions[next(iter(self.sessions))]
            return session

    def has_session(self, cookie, port):
        name = f"{COOKIE_PREFIX}{port}"
        for part in (cookie or "").split(";"):
            k, eq, v = part.partition("=")
            if eq and k.strip() == name and 0 < len(v.strip()) <= 256:
                with self.lock:
                    if sha256(v.strip()) in self.sessions:
                        return True
        return False


MAX_DRAINED = 1 << 20  # bytes of a refused request's body read before its answer (more: the connection just closes)


async def refuse(response, scope, receive, send):
    """Sends a refusal after reading the request's body (up to MAX_DRAINED bytes): a server that closes the connection
    with the body unread makes the kernel reset it, and the client may lose the answer (seen: 'Connection reset'
    instead of the 403 to a cross-origin POST whose body arrived after its headers)."""
    drained, more = 0, True
    while more and drained <= MAX_DRAINED:
        message = await receive()
        if message["type"] != "http.request":
            break
        drained += len(message.get("body", b""))
        more = message.get("more_body", False)
    await response(scope, receive, send)


class SecurityMiddleware:
    """ASGI middleware, before any route: Host allow-list (403), Origin rule (403), CORS pre-flights (204), bearer or
    session (401 + WWW-Authenticate: Bearer) except for GET/HEAD /health and GET /auth/login."""

    def __init__(self, app, security, port_holder):
        self.app, self.security, self.port_holder = app, security, port_holder

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        from starlette.responses import JSONResponse, Response

        port = self.port_holder["port"]
        headers = {}
        for k, v in scope["headers"]:
            headers.setdefault(k.decode("latin-1").lower(), v.decode("latin-1"))
        method, path = scope["method"], scope["path"]
        host = headers.get("host")
        remote = BIND.allowed_names()  # PORTOLAN_ADVERTISE_HOST / the bound address of an opt-in bind
        if not loopback_host(host) and not bind_host.host_allowed(host, remote):
            allowed = "a loopback address" + (f" or {sorted(remote)}" if remote else "")
            return await refuse(JSONResponse({"error": f"Host header '{(host or '')[:80]}' is not {allowed} of "
                                                      "this backend", "status": 403}, 403), scope, receive, send)
        origin = headers.get("origin")
        if origin is not None and not self.security.allowed_origin(origin, port):
            return await refuse(JSONResponse({"error": f"origin '{origin[:80]}' is not allowed", "status": 403}, 403),
                                scope, receive, send)
        cors = {} if origin is None else {"Access-Control-Allow-Origin": origin, "Vary": "Origin",
                                          "Access-Control-Expose-Headers":
                                              PROOF_HEADER + ", " + registry.SIGNATURE_HEADER}
        if origin is not None and method == "OPTIONS" and "access-control-request-method" in headers:
            return await Response(status_code=204, headers={**cors, "Access-Control-Allow-Methods": ALLOW_METHODS,
                                                            "Access-Control-Allow-Headers": ALLOW_HEADERS,
                                                            "Access-Control-Max-Age": "600"})(scope, receive, send)
        public = (path == "/health" and method in ("GET", "HEAD")) or (path == "/auth/login" and method == "GET")
        if not public and not self.security.authorized(headers.get("authorization"), headers.get("cookie"), port):
            return await refuse(JSONResponse({"error": "authorization required: Authorization: Bearer <token> or a "
                                                      "docs session", "status": 401}, 401,
                                             headers={**cors, "WWW-Authenticate": "Bearer"}), scope, receive, send)
        if not cors:
            return await self.app(scope, receive, send)

        async def send_with_cors(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + [
                    (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in cors.items()]
            await send(message)

        return await self.app(scope, receive, send_with_cors)


# ----------------------------------------------------------------------------------------------- the app

def create_app(security, mode, port_holder, identity):
    from fastapi import FastAPI, HTTPException, Request
    from fastapi.responses import JSONResponse, RedirectResponse

    app = FastAPI(title="Portolan Python example backend", version=VERSION)  # /docs, /openapi.json: authorized
    app.add_middleware(SecurityMiddleware, security=security, port_holder=port_holder)
    items = {}
    started = time.time()

    @app.get("/health")
    def health(request: Request):
        """Open, nothing secret; X-Portolan-Proof answers a valid X-Portolan-Challenge."""
        port = port_holder["port"]
        body = {"status": "healthy", "protocol": PROTOCOL_VERSION, "pid": os.getpid(), "version": VERSION,
                "mode": mode, "port": port}
        challenge = request.headers.get(CHALLENGE_HEADER)
        headers = {}
        p = security.health_proof(challenge, port)
        if p:
            headers[PROOF_HEADER] = p
        sig = identity.signature(challenge, port)  # registry identity (docs/protocol.md, "Registry identity")
        if sig:
            headers[registry.SIGNATURE_HEADER] = sig
        return JSONResponse(body, headers=headers)

    @app.post("/auth/ticket")
    def ticket(request: Request):
        """A one-time login link for a browser (valid 60 s); needs the bearer token (a session cannot mint one)."""
        if not security.bearer_ok(request.headers.get("authorization")):
            return JSONResponse({"error": "a login ticket needs Authorization: Bearer <token>", "status": 401}, 401,
                                headers={"WWW-Authenticate": "Bearer"})
        try:
            t = security.issue_ticket()
        except ValueError as e:
            return JSONResponse({"error": str(e), "status": 429}, 429)
        return JSONResponse({"ticket": t, "login_url": f"http://127.0.0.1:{port_holder['port']}/auth/login?ticket={t}"},
                            headers={"Cache-Control": "no-store"})

    @app.get("/auth/login")
    def login(ticket: str = ""):
        """Redeems a ticket: a session cookie (HttpOnly, SameSite=Strict) and a redirect to /docs."""
        session = security.redeem(ticket)
        if session is None:
            return JSONResponse({"error": "unknown, used or expired login ticket: ask for a new one "
                                          "(POST /auth/ticket)", "status": 401}, 401)
        return RedirectResponse("/docs", 303, headers={
            "Set-Cookie": f"{COOKIE_PREFIX}{port_holder['port']}={session}; HttpOnly; SameSite=Strict; Path=/",
            "Cache-Control": "no-store"})

    @app.get("/v1/echo")
    def echo_get(request: Request):
        return {"echo": dict(request.query_params)}

    @app.post("/v1/echo")
    async def echo_post(request: Request):
        try:
            return {"echo": await request.json()}
        except ValueError as e:
            raise HTTPException(400, f"request body is not valid JSON: {e}")

    @app.get("/v1/items")
    def list_items():
        return {"items": list(items.values())}

    @app.post("/v1/items", status_code=201)
    async def add_item(request: Request):
        try:
            body = await request.json()
        except ValueError as e:
            raise HTTPException(400, f"request body is not valid JSON: {e}")
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            raise HTTPException(422, "expected a JSON object with a string 'name'")
        item = {"id": len(items) + 1, "name": body["name"],
                "created_at": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")}
        items[item["id"]] = item
        return item

    @app.get("/v1/items/{item_id}")
    def get_item(item_id: int):
        if item_id not in items:
            raise HTTPException(404, f"no item {item_id}")
        return items[item_id]

    @app.get("/v1/slow")
    async def slow(ms: int):
        """Answers after ``ms`` milliseconds (at most 10 s): a request in flight, for graceful-stop tests."""
        if not 0 <= ms <= SLOW_MAX_MS:
            raise HTTPException(400, f"ms must be 0-{SLOW_MAX_MS}, got {ms}")
        log(f"slow request started ({ms} ms)")
        await asyncio.sleep(ms / 1000)
        return {"slept_ms": ms}

    @app.get("/v1/time")
    def now():
        t = time.time()
        return {"now": datetime.fromtimestamp(t, timezone.utc).isoformat().replace("+00:00", "Z"),
                "epoch_ms": int(t * 1000), "uptime_ms": int((t - started) * 1000)}

    return app


def http_protocol(idle_grace=None):
    """uvicorn's h11 protocol, except that an ``Upgrade: h2c`` offer is ignored (answered as HTTP/1.1) instead of
    rejected with 400 "Unsupported upgrade request." (uvicorn < 0.24). Java's HttpClient offers h2c on every new
    connection unless it is set to HTTP/1.1.

    ``idle_grace`` (seconds; a ``--reload`` worker's, whose successor serves the same listening socket): a graceful stop
    does not close an idle kept-alive connection at once, as uvicorn does, but ``idle_grace`` later, and answers a
    request that arrives on it meanwhile, with ``Connection: close``. Closed at once, a request the client had just
    sent on it is lost unanswered ("header parser received no bytes"), and a client retries at most once, if at all.
    After the grace, the client's next request opens a new connection, which waits in the listen backlog for the
    next worker."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class _Connection(h11.Connection):
        closing = False  # set by a graceful stop with a grace: every further response says "Connection: close"

        def send(self, event):
            if self.closing and type(event) is h11.Response:
                event = h11.Response(status_code=event.status_code, reason=event.reason,
                                     http_version=event.http_version,
                                     headers=[(n, v) for n, v in event.headers if n.lower() != b"connection"]
                                     + [(b"connection", b"close")])
            return super().send(event)

        def next_event(self):
            event = super().next_event()
            if type(event) is h11.Request:
                upgrade = b"".join(v for n, v in event.headers if n.lower() == b"upgrade").lower()
                if upgrade and upgrade != b"websocket":
                    headers = []
                    for name, value in event.headers:
                        if name.lower() in (b"upgrade", b"http2-settings"):
                            continue
                        if name.lower() == b"connection":
                            kept = [t.strip() for t in value.split(b",")
                                    if t.strip().lower() not in (b"upgrade", b"http2-settings")]
                            if not kept:
                                continue
                            value = b", ".join(kept)
                        headers.append((name, value))
                    event = h11.Request(method=event.method, target=event.target, headers=headers,
                                        http_version=event.http_version)
            return event

    class NoH2cUpgrade(H11Protocol):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.conn.__class__ = _Connection

        def shutdown(self):
            if idle_grace is None:
                return super().shutdown()
            self.conn.closing = True
            if self.cycle is None or self.cycle.response_complete:
                self.loop.call_later(idle_grace, self._close_if_idle)
            else:  # its response may have started: it closes the connection when done
                self.cycle.keep_alive = False

        def _close_if_idle(self):
            if not self.transport.is_closing():  # uvicorn's own: closes it when idle, else after its answer
                super().shutdown()

    return NoH2cUpgrade


def graceful_server():
    """uvicorn's ``Server``, whose graceful stop reaches every connection it accepted.

    - A stop asked for while it starts (``stop()``) waits until its main loop runs. uvicorn's ``serve()`` returns at
      once, without its graceful shutdown, when ``should_exit`` is already set at the end of its start-up; the
      connections it had accepted from the listen backlog meanwhile were then reset with their requests unanswered. A
      ``--reload`` worker is stopped so when a file changes while it starts (its announcement comes before uvicorn's
      start-up), and the clients that connected after the announcement are exactly those.
    - Its shutdown stops accepting first and lets the connections accepted in the same loop iteration attach
      (``connection_made`` runs one or two iterations after the accept) before uvicorn's own shutdown, which asks
      only the connections attached by then to close gracefully: one accepted later was served on as if nothing
      happened, until the drain's end cut it off."""
    import uvicorn

    class GracefulServer(uvicorn.Server):
        def __init__(self, config):
            super().__init__(config)
            self.serving = threading.Event()  # set once the main loop runs: should_exit is then always graceful

        async def main_loop(self):
            self.serving.set()
            await super().main_loop()

        async def shutdown(self, sockets=None):
            loop = asyncio.get_running_loop()
            for server in self.servers:
                for sock in server.sockets or ():
                    loop.remove_reader(sock.fileno())
            for _ in range(3):  # an accept's transport is made one iteration later, its connection_made the next
                await asyncio.sleep(0)
            await super().shutdown(sockets=sockets)

        def stop(self, drain_seconds):
            """Graceful (from another thread): stops accepting, lets running requests finish for up to
            ``drain_seconds``; waits for the main loop first when the server is still starting."""
            self.serving.wait()
            self.should_exit = True
            drain = threading.Timer(drain_seconds, lambda: setattr(self, "force_exit", True))
            drain.daemon = True
            drain.start()

    return GracefulServer


def watch_stdin(server):
    reason = "stdin closed"
    for raw in sys.stdin.buffer:
        if raw.decode("utf-8", "replace").strip() == SHUTDOWN_COMMAND:
            reason = f"'{SHUTDOWN_COMMAND}' received"
            break
    log(f"{reason}, stopping")
    server.stop(DRAIN_SECONDS)  # uvicorn stops accepting and waits for running requests for at most DRAIN_SECONDS


def url(host, port):
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def main(argv=None):
    p = argparse.ArgumentParser(description="Portolan Python FastAPI example backend")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--sidecar", dest="mode", action="store_const", const="sidecar")
    g.add_argument("--standalone", dest="mode", action="store_const", const="standalone")
    p.add_argument("--port", help="force this port (0 = OS-assigned); overrides API_PORT")
    p.add_argument("--reload", action="store_true",
                   help="development: restart the server when a .py file next to main.py changes (same port)")
    p.add_argument("--worker-fd", type=int, help=argparse.SUPPRESS)  # reload.py's worker: serve this inherited socket
    args = p.parse_args(argv)
    mode = args.mode or "sidecar"

    first, last = DEFAULT_RANGE
    text = os.environ.get("PORTOLAN_PORT_RANGE", "").strip()
    if text:
        try:
            a, dash, b = text.partition("-")
            first = whole_number(a)
            last = whole_number(b) if dash else first  # "8008" is one port, "8008-" no range
        except ValueError:
            first = last = 0
        if not 1 <= first <= last <= 65535:  # not numbers, reversed or out of bounds: one expectation
            log(f"PORTOLAN_PORT_RANGE='{text}' is invalid: expected FIRST-LAST with 1 <= FIRST <= LAST <= 65535, "
                "e.g. 8008-8020 (fix or unset it)")
            return 2
    forced = None
    if args.port is not None:
        forced = ("--port", args.port)
    elif os.environ.get("API_PORT", "").strip():
        forced = ("API_PORT", os.environ["API_PORT"])
    try:
        security = Security(os.environ)  # PORTOLAN_TOKEN (v1) is ignored: a v2 backend never echoes a secret
        service = registry.service_from_env(os.environ)
        shared = etcd_registry.parse(os.environ)  # PORTOLAN_REGISTRY (docs/registry.md)
        global BIND
        BIND = bind_host.parse(os.environ)  # PORTOLAN_BIND_HOST / PORTOLAN_ADVERTISE_HOST: opt-in, else loopback only
    except (ConfigError, ValueError) as e:
        log(str(e))
        return 2

    if args.worker_fd is not None:  # a worker of --reload: the supervisor holds the port, stdin stops us
        sock = socket.socket(fileno=args.worker_fd)
        return serve(sock, sock.getsockname()[1], mode, security, service, shared, watch_stdin_too=True,
                     reload_worker=True)

    try:
        res = reserve(forced, first, last)
    except ConfigError as e:  # a bad value is exit 2; a valid port that cannot be had is exit 3
        log(str(e))
        return 2
    except NoPort as e:
        log(f"no port: {e}")
        return 3
    if forced is None and not res.in_range:
        log(f"every port of {first}-{last} is taken: serving on port {res.port}, which the OS assigned "
            "(widen the range: PORTOLAN_PORT_RANGE)")
    try:
        if args.reload:
            import reload  # the port stays ours; workers serve it and are replaced on changes (reload.py)
            return reload.supervise(res.sock, mode)
        return serve(res.sock, res.port, mode, security, service, shared, watch_stdin_too=mode == "sidecar")
    finally:
        res.release()


def serve(sock, port, mode, security, service, shared, watch_stdin_too, reload_worker=False):
    """Announces the listening ``sock`` on ``port`` and serves it until stopped; registers while serving."""
    identity = registry.Identity()
    if identity.public_key is None:
        log("python3-cryptography is missing: registering without an identity (verified by its process, from this"
            " machine's registry only)")

    import uvicorn  # imported after the bind: the announcement does not wait for the import of the web stack

    port_holder = {"port": port}
    app = create_app(security, mode, port_holder, identity)
    config = uvicorn.Config(app, http=http_protocol(RELOAD_IDLE_GRACE_SECONDS if reload_worker else None),
                            log_level="info", access_log=False,
                            lifespan="off")
    server = graceful_server()(config)

    base = url(BIND.local_host(), port)
    announcement = {"type": "port_info", "mode": mode, "port": port, "url": base, "docs_url": base + "/docs",
                    "health_url": base + "/health", "pid": os.getpid()}
    announcement["version"] = VERSION
    started_at = datetime.now(timezone.utc)
    announcement["started_at"] = started_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    p = security.announcement_proof(port)
    if p is not None:
        announcement["proof"] = p
    # one line, flushed, after the socket is bound and listening
    sys.stdout.write(json.dumps(announcement, separators=(",", ":")) + "\n")
    sys.stdout.flush()
    log(f"{mode} serving on {base} (pid {os.getpid()})")

    try:
        entry = registry.Registration(os.environ, service, identity, mode, port, VERSION, started_at,
                                      BIND.local_host())
    except OSError as e:  # serving matters more than being listed
        entry = None
        log(f"cannot register in the local registry: {e} (set PORTOLAN_RUNTIME_DIR to a writable directory)")
    remote = None
    if shared is not None and entry is not None:
        try:
            remote_host = BIND.remote_host()  # other machines use the advertised host
            remote = etcd_registry.EtcdRegistration(shared, {**entry.entry, "host": remote_host,
                                                             "url": url(remote_host, port)})
        except OSError as e:  # local discovery keeps working without etcd
            log(f"cannot register in the shared registry (serving on, listed locally only): {e}")
    if watch_stdin_too:
        threading.Thread(target=watch_stdin, args=(server,), name="stdin-watch", daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        if remote is not None:
            remote.close()
        if entry is not None:
            entry.close()  # clean exit (also SIGINT/SIGTERM, which uvicorn turns into a graceful stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
