#!/usr/bin/python3
"""A naive, seed-style backend for the launcher tests (stdlib only): it chooses its port by CHECK-THEN-BIND and
announces it BEFORE it binds, exactly the pattern Portolan's own backends avoid.

  1. probe: for each port of the range, bind a socket and close it again; the first that bound is "free";
  2. print a seed-compatible announcement for that port (no token, no proof);
  3. "start the server" (--startup-ms, default 300: a web framework's start-up), then bind + listen on the port.

Between 1 and 3 a sibling started at the same time may take the same port: then the bind fails, the error goes to
stderr and the process keeps running without serving anything (as a seed backend whose server thread died), so
the launcher has to notice that the announced port is served by someone else.

Options: --range FIRST-LAST (default 21900-21903), --startup-ms N. API_PORT=N (as the seed honours it): only N is
probed, still check-then-bind.
Stops on a 'sidecar shutdown' line or stdin EOF (exit 0).
"""
import json, os, socket, sys, time

args = sys.argv[1:]
def opt(name, default):
    return args[args.index(name) + 1] if name in args else default

first, last = (int(x) for x in opt("--range", "21900-21903").split("-"))
if os.environ.get("API_PORT", "").strip() not in ("", "0"):
    first = last = int(os.environ["API_PORT"])
startup = int(opt("--startup-ms", "300")) / 1000.0

def probe(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()  # checked and released: the race window opens here

port = next((p for p in range(first, last + 1) if probe(p)), None)
if port is None:
    print("no free port in %d-%d" % (first, last), file=sys.stderr, flush=True)
    sys.exit(4)

base = "http://127.0.0.1:%d" % port
print(json.dumps({"type": "port_info", "mode": "sidecar", "port": port, "url": base, "docs_url": base + "/docs",
                  "health_url": base + "/health"}), flush=True)

time.sleep(startup)  # the framework starting up, after the announcement
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
try:
    server.bind(("127.0.0.1", port))
    server.listen(16)
    print("serving on %d" % port, file=sys.stderr, flush=True)
except OSError as e:
    server.close()
    server = None
    print("ERROR: [Errno %s] could not bind 127.0.0.1:%d: %s" % (e.errno, port, e.strerror), file=sys.stderr,
          flush=True)

while True:
    line = sys.stdin.readline()
    if line == "" or line.strip() == "sidecar shutdown":
        break
sys.exit(0)
