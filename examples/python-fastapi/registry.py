"""Portolan local instance registry for the Python example (docs/protocol.md, "Instance registry").

One 0600 JSON file per running instance, ``<runtime dir>/instances/<service>/<instance_id>.json`` in 0700
directories, written atomically; removed on clean exit. The entry carries an Ed25519 public key; /health answers a
fresh ``X-Portolan-Challenge`` with ``X-Portolan-Signature`` (Ed25519 over ``portolan-registry-v1:<nonce>:<port>``),
so a client can verify the instance without any shared secret. The private key lives in memory only.
Needs Debian's python3-cryptography for the signature; without it the entry has no identity and is verified by its
process instead (from this machine's registry only: its pid must hold the port).
"""
import base64
import json
import os
import re
import sys
import tempfile

SIGNATURE_HEADER = "X-Portolan-Signature"
SERVICE_RE = re.compile(r"[a-z0-9._-]{1,64}")
NONCE_RE = re.compile(r"[A-Za-z0-9_-]{16,128}")
INSTANCE_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,128}")
# readers skip an entry file larger than this; a longer command line is shortened to fit (docs/protocol.md)
MAX_ENTRY_BYTES = 64 * 1024
LONG_ARGUMENT, KEPT_OF_LONG_ARGUMENT = 1024, 1000


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def service_from_env(env):
    """PORTOLAN_SERVICE, default 'default'; raises ValueError naming the value and the rule."""
    s = (env.get("PORTOLAN_SERVICE") or "").strip() or "default"
    if not SERVICE_RE.fullmatch(s) or s in (".", ".."):
        raise ValueError(f"PORTOLAN_SERVICE: service name '{s}' is invalid: use 1-64 characters of [a-z0-9._-] "
                         "(lower-case letters, digits, '.', '_', '-'), not '.' or '..'")
    return s


def instance_id_from_env(env, generated):
    """PORTOLAN_INSTANCE_ID (the id a front end gives each instance it launches, e.g. ``default-2``), else
    ``generated``; a bad value is reported on stderr, naming the variable and the rule, and ``generated`` is used."""
    v = (env.get("PORTOLAN_INSTANCE_ID") or "").strip()
    if not v:
        return generated
    if not INSTANCE_ID_RE.fullmatch(v) or v.startswith("."):
        print(f"[portolan] PORTOLAN_INSTANCE_ID='{v}' is invalid: use 1-128 characters of [A-Za-z0-9._-], not "
              f"starting with '.'; registering as '{generated}'", file=sys.stderr, flush=True)
        return generated
    return v


def runtime_dir(env):
    """PORTOLAN_RUNTIME_DIR, else $XDG_RUNTIME_DIR/portolan, else ${XDG_STATE_HOME:-~/.local/state}/portolan/run."""
    own = env.get("PORTOLAN_RUNTIME_DIR", "").strip()
    if own and os.path.isabs(own):
        return own
    xdg = env.get("XDG_RUNTIME_DIR", "").strip()
    if xdg and os.path.isabs(xdg):
        return os.path.join(xdg, "portolan")
    state = env.get("XDG_STATE_HOME", "").strip()
    if not (state and os.path.isabs(state)):
        state = os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(state, "portolan", "run")


def process_start_ms():
    """This process's start in epoch ms exactly as Java's ProcessHandle.Info.startInstant() computes it on Linux:
    btime * 1000 + starttime ticks * 1000 // CLK_TCK. None when /proc is missing."""
    try:
        with open("/proc/self/stat") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat") as f:
            btime = next(int(l.split()[1]) for l in f if l.startswith("btime"))
        return btime * 1000 + ticks * 1000 // os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, StopIteration, IndexError):
        return None


def entry_text(entry):
    """The entry file's text and the command line it holds. A command line that would make the entry larger than
    MAX_ENTRY_BYTES is shortened as the protocol says (as Java's InstanceEntryCodec.toJson): arguments over
    LONG_ARGUMENT characters keep their first KEPT_OF_LONG_ARGUMENT and end with "...[<n> characters left out]"; if
    that is still too large, the last arguments give way to one "...[<k> arguments left out]"."""
    def text(command):
        return json.dumps(dict(entry, command=command), separators=(",", ":")) + "\n"

    def fits(t):
        return len(t.encode("utf-8")) <= MAX_ENTRY_BYTES

    full = text(entry["command"])
    if fits(full) or not entry["command"]:
        return full, entry["command"]
    cut = [a if len(a) <= LONG_ARGUMENT
           else f"{a[:KEPT_OF_LONG_ARGUMENT]}...[{len(a) - KEPT_OF_LONG_ARGUMENT} characters left out]"
           for a in entry["command"]]
    shortened = text(cut)
    if fits(shortened):
        return shortened, cut

    def leading(n):
        return cut[:n] + [f"...[{len(cut) - n} arguments left out]"]
    fit, over = 0, len(cut)  # each argument more adds at least 3 bytes, the marker loses at most 1: a binary search
    while over - fit > 1:
        mid = (fit + over) // 2
        if fits(text(leading(mid))):
            fit = mid
        else:
            over = mid
    kept = leading(fit)
    return text(kept), kept


def command_line():
    try:
        with open("/proc/self/cmdline", "rb") as f:
            return [a.decode("utf-8", "replace") for a in f.read().split(b"\0")[:-1]]
    except OSError:
        return []


class Identity:
    """An Ed25519 key pair made at start (python3-cryptography); ``None`` public key when the library is missing."""

    def __init__(self):
        try:
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
            from cryptography.hazmat.primitives import serialization
        except ImportError:
            self._key = None
            self.public_key = None
            return
        self._key = Ed25519PrivateKey.generate()
        self.public_key = b64url(self._key.public_key().public_bytes(serialization.Encoding.Raw,
                                                                     serialization.PublicFormat.Raw))

    def signature(self, header, port):
        """The X-Portolan-Signature for a challenge header on port, or None (no key, missing or invalid nonce)."""
        if self._key is None or header is None:
            return None
        nonce = header.strip()
        if not NONCE_RE.fullmatch(nonce):
            return None
        return b64url(self._key.sign(f"portolan-registry-v1:{nonce}:{port}".encode("ascii")))


class Registration:
    """The entry file of this instance; ``close()`` removes it (idempotent)."""

    def __init__(self, env, service, identity, mode, port, version, started_at, host="127.0.0.1"):
        self.dir = os.path.join(runtime_dir(env), "instances", service)
        pid = os.getpid()
        self.instance_id = instance_id_from_env(env, f"{port}-{pid}-{int(started_at.timestamp() * 1000)}")
        self.path = os.path.join(self.dir, self.instance_id + ".json")
        entry = {"schema": 1, "service": service, "instance_id": self.instance_id,
                 "url": f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}", "host": host,
                 "port": port, "pid": pid,
                 "process_start": process_start_ms(), "mode": mode, "version": version,
                 "started_at": started_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                 "command": command_line()}
        if identity.public_key is not None:
            entry["identity"] = {"scheme": "ed25519", "public_key": identity.public_key}
        token = (env.get("PORTOLAN_API_TOKEN") or "").strip()
        if token:
            entry["api_token"] = token  # local 0600 file only (docs/security.md, "Registry")
        text, entry["command"] = entry_text(entry)  # as filed: the etcd entry (etcd_registry.py) is the same
        self.entry = entry
        self._write(text)

    def _write(self, text):
        root = os.path.dirname(os.path.dirname(self.dir))  # <runtime>/instances -> <runtime>
        for d in (os.path.dirname(root), root, os.path.dirname(self.dir), self.dir):
            if d and not os.path.isdir(d):
                os.makedirs(d, mode=0o700, exist_ok=True)
                os.chmod(d, 0o700)
        fd, tmp = tempfile.mkstemp(prefix="." + self.instance_id, suffix=".tmp", dir=self.dir)  # mode 0600
        try:
            with os.fdopen(fd, "w") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def close(self):
        try:
            with open(self.path) as f:
                if json.load(f).get("pid") != os.getpid():
                    return  # a later process of the same PORTOLAN_INSTANCE_ID owns the file now
            os.unlink(self.path)
        except (OSError, ValueError):
            pass
