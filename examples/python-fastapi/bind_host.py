"""PORTOLAN_BIND_HOST / PORTOLAN_ADVERTISE_HOST: the opt-in to listen on a non-loopback address, and the host other
machines use (docs/registry.md, "Reachable from other machines"); the same rules as the Java helper's BindHost.

Unset: 127.0.0.1 only (the default). PORTOLAN_BIND_HOST is an address of this machine (or a name resolving to one), or
0.0.0.0 / :: for every interface; PORTOLAN_ADVERTISE_HOST (default: the bind host, required with a wildcard) is what
the shared registry's entry announces and what the Host allow-list accepts besides loopback."""

import ipaddress
import re
import socket

BIND = "PORTOLAN_BIND_HOST"
ADVERTISE = "PORTOLAN_ADVERTISE_HOST"
_NAME = re.compile(r"(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")
_LITERAL_LIKE = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3}){3}")
_FORM = (" (expected an address of this machine, a name resolving to one, or 0.0.0.0 / :: for every interface;"
         " unset: 127.0.0.1 only; see docs/registry.md)")


class BindHost:
    """address: what to bind (a literal); advertised: the host other machines use, None for loopback only."""

    def __init__(self, address, advertised):
        self.address, self.advertised = address, advertised
        ip = ipaddress.ip_address(address)
        self.family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
        self.wildcard = ip.is_unspecified
        self.default = address == "127.0.0.1"

    def local_host(self):
        """The address a client on this machine uses: 127.0.0.1 for a wildcard bind, else the bound one."""
        return "127.0.0.1" if self.wildcard else self.address

    def remote_host(self):
        return self.advertised or self.local_host()

    def allowed_names(self):
        """Host names accepted besides loopback (lower case, no brackets)."""
        if self.advertised is None:
            return set()
        bound = ipaddress.ip_address(self.address)
        return {self.advertised} | (set() if bound.is_unspecified or bound.is_loopback else {self.address.lower()})


def _strip(v):
    v = v.strip()
    return v[1:-1] if v.startswith("[") and v.endswith("]") else v


def _literal(v):
    try:
        return ipaddress.ip_address(v)
    except ValueError:
        return None


def _looks_literal(v):
    """Whether v is meant as an address (four dotted numbers, or a colon): then it must be a valid one, never looked
    up as a name (127.0.0.256 would be a DNS query)."""
    return bool(_LITERAL_LIKE.fullmatch(v)) or ":" in v


def _is_local(ip):
    if ip.is_loopback or ip.is_unspecified:
        return True
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((str(ip), 0))  # the kernel binds only an address of this machine (EADDRNOTAVAIL); never listens
            return True
        except OSError:
            return False


def parse(env):
    """The BindHost of env; raises ValueError naming the variable and its value."""
    bind = (env.get(BIND) or "").strip()
    advertise = (env.get(ADVERTISE) or "").strip()
    if not bind:
        if advertise:
            raise ValueError(f"{ADVERTISE}='{advertise}' needs {BIND}: without it the backend listens on 127.0.0.1"
                             " only, which no other machine can reach")
        return BindHost("127.0.0.1", None)
    v = _strip(bind)
    ip = _literal(v)
    if ip is None:
        if _looks_literal(v):
            raise ValueError(f"{BIND}='{bind}' is not a valid address{_FORM}")
        if not _NAME.fullmatch(v):
            raise ValueError(f"{BIND}='{bind}' is not an address or host name{_FORM}")
        try:
            ip = ipaddress.ip_address(socket.getaddrinfo(v, None, proto=socket.IPPROTO_TCP)[0][4][0])
        except (OSError, ValueError, IndexError):
            raise ValueError(f"{BIND}='{bind}' cannot be resolved{_FORM}")
    if not _is_local(ip):
        resolved = "" if _literal(v) is not None else f" (it resolves to {ip})"
        raise ValueError(f"{BIND}='{bind}' is not an address of this machine{resolved}{_FORM}")
    if advertise:  # with a loopback bind: reached through a forwarder that keeps the port (ssh -R)
        return BindHost(str(ip), _check_advertised(advertise))
    if ip.is_unspecified:
        raise ValueError(f"{BIND}='{bind}' listens on every interface: set {ADVERTISE} to the name or address other"
                         " machines should use")
    return BindHost(str(ip), None if ip.is_loopback else v.lower())


def _check_advertised(value):
    v = _strip(value)
    ip = _literal(v)
    why = None
    if ip is not None:
        if ip.is_loopback or ip.is_unspecified:
            why = "is a wildcard or loopback address, which other machines cannot use"
    elif _looks_literal(v):
        why = "is not a valid address"
    elif not _NAME.fullmatch(v) or v.lower() == "localhost" or re.fullmatch(r"[0-9.]+", v):
        why = "is not a host name other machines can use"
    if why:
        raise ValueError(f"{ADVERTISE}='{value}' {why} (expected the DNS name or address of this machine that clients"
                         " use, e.g. gpu1.lan or 10.0.0.5)")
    return v.lower()


def host_allowed(host, names):
    """Whether a Host header names one of names (lower case, IPv6 without brackets), with or without a port."""
    h = (host or "").strip().lower()
    if not names or not h:
        return False
    if h.startswith("["):
        end = h.find("]")
        if end < 0:
            return False
        name, port = h[1:end], h[end + 1:]
    else:
        name, _, rest = h.partition(":")
        port = ":" + rest if rest or h.endswith(":") else ""
    return name in names and (port == "" or bool(re.fullmatch(r":[0-9]{1,5}", port)))
