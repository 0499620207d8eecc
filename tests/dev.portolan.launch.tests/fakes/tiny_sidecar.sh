#!/bin/sh
# The smallest fake sidecar: announces port $1 (not bound: a pure protocol fake for start/stop cycles) with the
# launch token, then exits on the first stdin line or EOF.
port=$1
printf 'booting\n'
printf '{"type":"port_info","mode":"sidecar","port":%s,"url":"http://127.0.0.1:%s","docs_url":"http://127.0.0.1:%s/docs","health_url":"http://127.0.0.1:%s/health","pid":%s,"token":"%s"}\n' \
    "$port" "$port" "$port" "$port" "$$" "$PORTOLAN_TOKEN"
read -r line
exit 0
