#!/usr/bin/python3
"""A fake sidecar for the launcher tests (stdlib only). Binds and HOLDS a loopback port of the given range (the
bind-and-hold pattern), announces it on stdout like Portolan's backends, then waits on stdin.

Options (all optional):
  --range FIRST-LAST   ports to try (default 21000-21999); API_PORT=N in the environment forces N
  --noise N            print N noise lines on stdout and stderr before announcing
  --no-token           seed-compatible announcement without the token
  --token VALUE        announce this token instead of $PORTOLAN_TOKEN (an impostor)
  --impostor-first     first print an announcement with a wrong token, then the right one
  --never-announce     print to stderr, never announce, wait forever
  --exit-before CODE   print to stderr and exit with CODE before announcing
  --exit-after CODE    announce, then exit with CODE
  --ignore-eof         keep running after stdin EOF (like the seed's backend)
  --ignore-term        ignore SIGTERM
  --ignore-shutdown    ignore 'sidecar shutdown' lines
  --mark FILE          on 'sidecar shutdown', write "graceful" to FILE before exiting
  --grandchild         spawn a grandchild process that sleeps (to test whole-tree stops)
  --no-flush           print the announcement with print() and no flush (tests PYTHONUNBUFFERED)
  --v2                 protocol v2: announce an HMAC proof (PORTOLAN_IDENTITY_KEY, PORTOLAN_CHALLENGE) instead of the token
  --bad-proof          protocol v2 with a proof made with another key (an impostor)
  --v1-after FILE      v2 on the first run (creates FILE), a v1 token echo once FILE exists (a downgrade)
  --announce-port N    bind nothing, announce port N (a port another process may hold)
  --announce-host HOST announce http://HOST:port instead of http://127.0.0.1:port (still binding 127.0.0.1)
  --bind-when FILE     check, announce, then bind: find a free port, release it, announce it, and bind it only once
                       FILE exists
Stops on a 'sidecar shutdown' line (exit 0) or on stdin EOF (exit 0) unless --ignore-eof.
"""
import base64, hashlib, hmac, json, os, signal, socket, subprocess, sys, time

args = sys.argv[1:]
def opt(name, default=None):
    if name in args:
        i = args.index(name)
        return args[i + 1] if i + 1 < len(args) and not args[i + 1].startswith("--") else True
    return default

if opt("--ignore-term"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

for i in range(int(opt("--noise", 0))):
    print("INFO: starting up, step %d" % i)
    print("WARNING: noise on stderr %d" % i, file=sys.stderr)
sys.stdout.flush()

if opt("--exit-before"):
    print("fatal: configuration file missing", file=sys.stderr)
    sys.exit(int(opt("--exit-before")))

if opt("--never-announce"):
    print("still warming up the model cache", file=sys.stderr)
    sys.stderr.flush()
    while True:
        line = sys.stdin.readline()
        if line == "":
            if opt("--ignore-eof"):
                time.sleep(3600)
            sys.exit(0)
        if line.strip() == "sidecar shutdown" and not opt("--ignore-shutdown"):
            sys.exit(0)

def bind(first, last):
    for p in range(first, last + 1):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", p))
            s.listen(16)
            return s
        except OSError:
            s.close()
    print("no free port in %d-%d" % (first, last), file=sys.stderr)
    sys.exit(4)

first, last = (int(x) for x in opt("--range", "21000-21999").split("-"))
if os.environ.get("API_PORT"):  # a fixed port, as Portolan's backends honour it
    first = last = int(os.environ["API_PORT"])
if opt("--announce-port"):
    sock = None
    port = int(opt("--announce-port"))
else:
    sock = bind(first, last)
    port = sock.getsockname()[1]
if opt("--bind-when"):
    sock.close()  # checked: free; announced below, bound only later
    sock = None

grandchild = None
if opt("--grandchild"):
    grandchild = subprocess.Popen([sys.executable, "-c", "import time\nwhile True: time.sleep(3600)"],
                                  stdin=subprocess.DEVNULL)
    print("grandchild %d" % grandchild.pid, file=sys.stderr)
    sys.stderr.flush()

def proof(key, nonce):
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    mac = hmac.new(raw, ("%s:%d" % (nonce, port)).encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")

v2 = opt("--v2") or opt("--bad-proof")
if opt("--v1-after"):
    marker = opt("--v1-after")
    v2 = not os.path.exists(marker)
    open(marker, "a").close()

def announcement(token):
    base = "http://%s:%d" % (opt("--announce-host", "127.0.0.1"), port)
    a = {"type": "port_info", "mode": "sidecar", "port": port, "url": base, "docs_url": base + "/docs",
         "health_url": base + "/health", "pid": os.getpid()}
    if v2:
        key = os.environ["PORTOLAN_IDENTITY_KEY"]
        if opt("--bad-proof"):
            key = base64.urlsafe_b64encode(b"k" * 32).rstrip(b"=").decode("ascii")
        a["proof"] = proof(key, os.environ["PORTOLAN_CHALLENGE"])
    elif token is not None:
        a["token"] = token
    return json.dumps(a)

if opt("--impostor-first"):
    print(announcement("not-the-launch-token"), flush=True)
token = None if opt("--no-token") else opt("--token", os.environ.get("PORTOLAN_TOKEN"))
if opt("--no-flush"):
    print(announcement(token))
else:
    print(announcement(token), flush=True)

if opt("--bind-when"):
    while not os.path.exists(opt("--bind-when")):
        time.sleep(0.02)
    sock = bind(port, port)
    print("bound %d" % port, file=sys.stderr, flush=True)

if opt("--exit-after"):
    print("crashing right after announcing", file=sys.stderr, flush=True)
    os._exit(int(opt("--exit-after")))

while True:
    line = sys.stdin.readline()
    if line == "":
        if opt("--ignore-eof"):
            while True:
                time.sleep(3600)
        break
    if line.strip() == "sidecar shutdown" and not opt("--ignore-shutdown"):
        print("shutting down on request", file=sys.stderr, flush=True)
        if opt("--mark"):
            with open(opt("--mark"), "w") as f:
                f.write("graceful")
        break
if grandchild is not None:
    grandchild.kill()
sys.exit(0)
