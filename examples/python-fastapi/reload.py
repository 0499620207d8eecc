"""``main.py --reload`` (development): keep the port, restart the server when a source file changes.

The process Portolan started binds and holds the port as always (bind-and-hold, main.py) but serves nothing itself. It
starts a **worker** — ``main.py --worker-fd N``, a fresh interpreter, so changed code is imported anew — that serves the
inherited listening socket and prints the ``port_info`` announcement with its own pid and ``started_at``. Every
``POLL_SECONDS`` it compares the modification times of the ``.py`` files next to main.py (and below, without
``__pycache__`` and dot directories). On a change it stops the worker gracefully (closes its stdin: it stops accepting,
running requests get up to 1 s, as in a sidecar stop; a kept-alive connection is answered with ``Connection: close``
and closed idle only 0.3 s later, see main.http_protocol; a worker still starting stops so once it serves, see
main.graceful_server), then starts a new one on the same socket, which announces
again: same port, same proof rules, a new pid. Portolan takes that as a re-announcement (``announced`` again, no exit,
no restart counted). Connections arriving between two workers wait in the socket's listen backlog, nothing is refused.
A worker that exits by itself (say, a syntax error just saved) is started again at the next change.

Stopping: stdin EOF or ``sidecar shutdown`` (sidecar mode), SIGINT/SIGTERM (both modes) stop the worker gracefully,
then this process exits 0.

Why not ``uvicorn --reload``: its supervisor starts workers through ``multiprocessing`` (whose children get no stdin,
so the sidecar's stop-on-EOF contract would need another channel), needs the app as an import string (this example
builds it from the v2 secrets and its registry identity), and its workers would never announce. This loop is the same
idea (uvicorn's StatReload also polls modification times) in a few lines of the standard library.
"""
import os
import signal
import subprocess
import sys
import threading

import main

POLL_SECONDS = 0.5
HERE = os.path.dirname(os.path.abspath(__file__))


def sources():
    """Modification time of every .py file under HERE (a vanished file simply drops out)."""
    times = {}
    for folder, dirs, files in os.walk(HERE):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                try:
                    times[path] = os.stat(path).st_mtime_ns
                except OSError:
                    pass
    return times


def start_worker(sock, mode):
    cmd = [sys.executable, os.path.join(HERE, "main.py"), "--" + mode, "--worker-fd", str(sock.fileno())]
    return subprocess.Popen(cmd, pass_fds=(sock.fileno(),), stdin=subprocess.PIPE)


def stop_worker(worker):
    """Graceful: EOF on its stdin (it drains for up to 1 s); killed if it is still there 5 s later."""
    try:
        worker.stdin.close()
    except OSError:
        pass
    try:
        worker.wait(timeout=5)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def supervise(sock, mode):
    """Runs workers on ``sock`` until stopped; returns the exit code (0)."""
    stop = threading.Event()
    if mode == "sidecar":
        threading.Thread(target=wait_for_stop, args=(stop,), name="stdin-watch", daemon=True).start()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    seen = sources()
    worker = start_worker(sock, mode)
    main.log(f"--reload: worker pid {worker.pid} serves port {sock.getsockname()[1]}; watching {HERE}")
    while not stop.wait(POLL_SECONDS):
        if worker.returncode is None and worker.poll() is not None:
            main.log(f"--reload: the worker exited with {worker.returncode}; waiting for a change to start it again")
        now = sources()
        if now == seen:
            continue
        changed = sorted(p for p in now.keys() | seen.keys() if now.get(p) != seen.get(p))
        seen = now
        main.log(f"--reload: {', '.join(os.path.relpath(p, HERE) for p in changed)} changed, restarting the server")
        stop_worker(worker)
        worker = start_worker(sock, mode)
        main.log(f"--reload: worker pid {worker.pid} serves the same port")
    stop_worker(worker)
    return 0


def wait_for_stop(stop):
    """Sidecar mode: stdin EOF or the line ``sidecar shutdown`` stops everything."""
    for raw in sys.stdin.buffer:
        if raw.decode("utf-8", "replace").strip() == main.SHUTDOWN_COMMAND:
            break
    stop.set()
