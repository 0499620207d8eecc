"""A ``--reload`` handover whose first worker is stopped while it starts, driven with the Python reference's own
reload.py (``start_worker``, ``stop_worker``) on a listening socket this script holds, as reload.supervise does.

Usage: reload_handover.py EXAMPLE_DIR CLIENTS

CLIENTS clients connect and send ``GET /health`` each before any worker runs (their connections wait in the listen
backlog). The first worker is then started with its stop already asked for (``stop_worker`` closes its stdin at
once: a file changed again while it was starting), and a successor serves the same socket. Prints one line per client,
``answered <status line>`` or ``unanswered: <why>``, in the order they connected. Every client must be answered:
by the first worker, which stops gracefully once it serves, or by its successor from the backlog."""
import socket
import sys

sys.path.insert(0, sys.argv[1])
import reload  # noqa: E402 (the example's folder is on the path only now)

clients = int(sys.argv[2])
held = socket.socket()
held.bind(("127.0.0.1", 0))
held.listen(64)
port = held.getsockname()[1]
connections = []
for _ in range(clients):
    c = socket.create_connection(("127.0.0.1", port), timeout=60)
    c.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + str(port).encode() + b"\r\n\r\n")
    connections.append(c)
first = reload.start_worker(held, "sidecar")
reload.stop_worker(first)  # stdin closed at once, while it imports and starts; waits until it has exited
second = reload.start_worker(held, "sidecar")
for c in connections:
    try:
        status = c.makefile("rb").readline()
        print("answered " + status.decode("ascii", "replace").strip() if status
              else "unanswered: closed without an answer", flush=True)
    except OSError as e:
        print(f"unanswered: {e!r}", flush=True)
    c.close()
reload.stop_worker(second)
held.close()
