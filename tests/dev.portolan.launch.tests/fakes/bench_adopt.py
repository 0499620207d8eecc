#!/usr/bin/python3
"""Adoption benchmark child (stdlib only): an HTTP server on 127.0.0.1 (OS-assigned port) whose /health answers 200.
It listens, stamps CLOCK_MONOTONIC and then, by mode:
  output   prints a uvicorn-style line "Uvicorn running on http://127.0.0.1:N" carrying the stamp (as uvicorn does
           once it listens): found through the output pattern;
  process  prints only "stamp=T" (no pattern matches it): found through process ownership, looked at when the line
           arrives;
  silent   prints nothing, writes "stamp=T" to the file named by the second argument: found through process
           ownership by the launcher's periodic looks alone.
Stops on stdin EOF."""
import http.server, sys, threading, time


class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


mode = sys.argv[1]
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health, bind_and_activate=False)
server.server_bind()
server.server_activate()
threading.Thread(target=server.serve_forever, daemon=True).start()
port = server.server_address[1]
stamp = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
if mode == "output":
    print("INFO:     Uvicorn running on http://127.0.0.1:%d (stamp=%d)" % (port, stamp), flush=True)
elif mode == "process":
    print("stamp=%d" % stamp, flush=True)
else:
    with open(sys.argv[2], "w") as f:
        f.write("stamp=%d\n" % stamp)
sys.stdin.read()
server.shutdown()
