#!/usr/bin/python3
"""Benchmark sidecar: writes one announcement whose 'version' is "t=<CLOCK_MONOTONIC ns>" taken right before the
write (Java's System.nanoTime() reads the same clock on Linux), then waits for 'sidecar shutdown' or stdin EOF."""
import os, sys, time

port = int(sys.argv[1]) if len(sys.argv) > 1 else 21998
token = os.environ.get("PORTOLAN_TOKEN", "")
base = "http://127.0.0.1:%d" % port
template = ('{"type":"port_info","mode":"sidecar","port":%d,"url":"%s","docs_url":"%s/docs","health_url":"%s/health",'
            '"pid":%d,"token":"%s","version":"t=%%d"}\n') % (port, base, base, base, os.getpid(), token)
data = (template % time.monotonic_ns()).encode()
os.write(1, data)
for line in sys.stdin:
    if line.strip() == "sidecar shutdown":
        break
