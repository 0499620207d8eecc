"""Registration in the shared etcd registry (docs/registry.md) for the Python example, standard library only.

Talks to etcd's v3 JSON gateway (keys and values base64): a lease of PORTOLAN_ETCD_TTL seconds (default 10), the
entry JSON without its API token under ``<prefix>/services/<service>/<instance_id>``, renewed every TTL/3 by a daemon
thread (written again on a fresh lease when it was lost), revoked on close. The key is only ever created (a
transaction), never overwritten: while another instance holds it (the same id on another machine, or a predecessor
whose lease has not expired yet) this one says so once on stderr and tries again with every renewal. Every call has a
3 s deadline and is tried on each endpoint in turn; user/password authentication (PORTOLAN_ETCD_USER,
PORTOLAN_ETCD_PASSWORD_FILE) and TLS (etcd+https://, PORTOLAN_ETCD_CA) as in Java.
"""
import base64
import json
import re
import ssl
import sys
import threading
import urllib.error
import urllib.request

HOST_PORT = re.compile(r"(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):([0-9]{1,5})")
PREFIX = re.compile(r"(/[A-Za-z0-9._-]+)+")
TIMEOUT = 3.0


def _bad(value, why):
    return ValueError(f"PORTOLAN_REGISTRY='{value}' is not valid: {why} (expected etcd://host:port[,host:port...]"
                      "[/prefix] or etcd+https://..., see docs/registry.md)")


def parse(env):
    """The etcd settings of PORTOLAN_REGISTRY, None when unset or 'local'; ValueError naming variable and value."""
    value = (env.get("PORTOLAN_REGISTRY") or "").strip()
    if not value or value == "local":
        return None
    tls = value.startswith("etcd+https://")
    if not tls and not value.startswith("etcd://"):
        raise _bad(value, "it must be 'local' or start with etcd:// or etcd+https://")
    rest = value.split("://", 1)[1]
    hosts, _, prefix = rest.partition("/")
    prefix = "/" + prefix.rstrip("/") if prefix else "/portolan/v1"
    if not PREFIX.fullmatch(prefix):
        raise _bad(value, f"the key prefix '{prefix}' must be like /portolan/v1")
    endpoints = []
    for hp in hosts.split(","):
        m = HOST_PORT.fullmatch(hp)
        if not m or not 1 <= int(m.group(2)) <= 65535:
            raise _bad(value, f"'{hp}' is not host:port")
        endpoints.append(("https://" if tls else "http://") + hp)
    ttl_text = (env.get("PORTOLAN_ETCD_TTL") or "").strip()
    ttl = int(ttl_text) if ttl_text.isdigit() else (10 if not ttl_text else 0)
    if not 2 <= ttl <= 3600:
        raise ValueError(f"PORTOLAN_ETCD_TTL='{ttl_text}' is not valid: it must be a whole number of seconds "
                         "from 2 to 3600")
    user = (env.get("PORTOLAN_ETCD_USER") or "").strip() or None
    password_file = (env.get("PORTOLAN_ETCD_PASSWORD_FILE") or "").strip() or None
    if (user is None) != (password_file is None):
        raise ValueError("PORTOLAN_ETCD_USER and PORTOLAN_ETCD_PASSWORD_FILE go together: set both or neither")
    ca = (env.get("PORTOLAN_ETCD_CA") or "").strip() or None
    return {"endpoints": endpoints, "prefix": prefix, "ttl": ttl, "user": user, "password_file": password_file,
            "ssl": ssl.create_default_context(cafile=ca) if tls else None}


def _b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


class EtcdRegistration:
    """This instance's entry in etcd on a renewed lease; ``close()`` revokes it (idempotent)."""

    def __init__(self, config, entry):
        self.config = config
        self.token = None
        shared = {k: v for k, v in entry.items() if k != "api_token"}  # the token never leaves this machine
        self.key = f"{config['prefix']}/services/{entry['service']}/{entry['instance_id']}"
        self.value = json.dumps(shared, separators=(",", ":"))
        self.held = False  # the key lives on self.lease (False while another instance holds it)
        self.reported_holder = None  # the create revision of the holder last reported
        self.lease = self._grant()
        self._create()
        self.stop = threading.Event()
        threading.Thread(target=self._renew, name="etcd-keepalive", daemon=True).start()

    def _grant(self):
        """A new lease of the configured TTL; its id."""
        return self._call("/v3/lease/grant", {"TTL": str(self.config["ttl"])})["ID"]

    def _create(self):
        """Writes the key on self.lease unless it exists (one transaction); reports its holder once if it does."""
        key = _b64(self.key)
        answer = self._call("/v3/kv/txn", {
            "compare": [{"key": key, "result": "EQUAL", "target": "CREATE", "create_revision": "0"}],
            "success": [{"request_put": {"key": key, "value": _b64(self.value), "lease": self.lease}}],
            "failure": [{"request_range": {"key": key}}]})
        if answer.get("succeeded"):
            if self.reported_holder is not None:
                print(f"etcd key {self.key} is free again: this instance is registered there now", file=sys.stderr)
            self.held, self.reported_holder = True, None
            return
        self.held = False
        kvs = (answer.get("responses") or [{}])[0].get("response_range", {}).get("kvs") or [{}]
        revision = kvs[0].get("create_revision")
        if revision != self.reported_holder:
            self.reported_holder = revision
            try:
                holder = json.loads(base64.b64decode(kvs[0].get("value", "")).decode("utf-8"))
                who = f"pid {holder['pid']} at {holder['url']}, registered {holder['started_at']}"
            except (ValueError, KeyError, TypeError):
                who = "a value that is not a usable entry"
            period = self.config["ttl"] / 3
            print(f"etcd key {self.key} is held by another instance ({who}): this instance is listed there once the"
                  f" key is free, tried again every {period:.1f} s (a holder that died frees it when its lease"
                  f" expires, within {self.config['ttl']} s). Instances on different machines need different ids:"
                  " give each machine its own --service, or set PORTOLAN_INSTANCE_ID (docs/registry.md)",
                  file=sys.stderr)

    def _renew(self):
        reported = False
        while not self.stop.wait(self.config["ttl"] / 3):
            try:
                ttl = int(self._call("/v3/lease/keepalive", {"ID": self.lease}).get("result", {}).get("TTL", 0))
                if self.stop.is_set():
                    break
                if ttl <= 0:  # lost while etcd was away, and the key with it: register again on a fresh lease
                    self.lease = self._grant()
                    self._create()
                    if self.stop.is_set():  # closed meanwhile: take the fresh entry away again
                        self._call("/v3/lease/revoke", {"ID": self.lease})
                elif not self.held:  # waiting for another's key: try again
                    self._create()
                reported = False
            except OSError as e:
                if not reported:
                    print(f"cannot renew the etcd registration of {self.key} (retrying): {e}", file=sys.stderr)
                    reported = True

    def _authenticate(self, endpoint):
        with open(self.config["password_file"], encoding="utf-8") as f:
            password = f.read().removesuffix("\n")
        self.token = self._post(endpoint, "/v3/auth/authenticate",
                                {"name": self.config["user"], "password": password})["token"]

    def _post(self, endpoint, path, body):
        req = urllib.request.Request(endpoint + path, data=json.dumps(body).encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json"})
        if self.token and not path.startswith("/v3/auth/"):
            req.add_header("Authorization", self.token)
        with urllib.request.urlopen(req, timeout=TIMEOUT, context=self.config["ssl"]) as r:
            return json.loads(r.read().decode("utf-8"))

    def _call(self, path, body):
        failures = []
        for endpoint in self.config["endpoints"]:
            try:
                if self.config["user"] and self.token is None:
                    self._authenticate(endpoint)
                return self._post(endpoint, path, body)
            except urllib.error.HTTPError as e:
                failures.append(f"{endpoint}: HTTP {e.code} {e.read().decode('utf-8', 'replace')[:200]}")
            except (OSError, ValueError) as e:
                failures.append(f"{endpoint}: {e}")
        raise OSError("etcd unreachable: tried " + "; ".join(failures))

    def close(self):
        if self.stop.is_set():
            return
        self.stop.set()
        try:
            self._call("/v3/lease/revoke", {"ID": self.lease})
        except OSError as e:
            print(f"could not revoke the etcd lease of {self.key} (it expires within {self.config['ttl']} s): {e}",
                  file=sys.stderr)
