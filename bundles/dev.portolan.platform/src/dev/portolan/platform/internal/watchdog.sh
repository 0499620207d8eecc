# Portolan sidecar watchdog (POSIX sh, Linux). Sits between the launcher JVM and the sidecar:
#   /abs/path/to/setsid -w /bin/sh -c "$(cat watchdog.sh)" portolan-watchdog /abs/path/to/setsid /abs/path/to/backend [args...]
# - runs itself (through the outer setsid) in a NEW SESSION of its own, outside the launcher's process group: a
#   SIGKILL of the launcher's whole group (kill -9 -PGID, what CI runners and IDEs do) does not reach it, and it
#   still sees the launcher's death as EOF on its stdin (below); its forwarder subshell stays in its group;
# - starts the backend in a NEW SESSION (setsid): the backend leads its own process group, so the whole tree it
#   spawns can be signalled at once, and a terminal's signals never reach it;
# - prints "portolan-watchdog child <pid>" on stdout before exec-ing the backend, so the launcher learns the real
#   backend pid (the exec keeps the pid) and the line always precedes the backend's own output;
# - forwards the launcher's stdin to the backend: a line ">text" is written to the backend's stdin as "text", the
#   line "close" closes the backend's stdin (the backend sees EOF);
# - when ITS OWN stdin reaches EOF (the launcher closed the pipe or died, even by SIGKILL) it sends SIGTERM to the
#   backend's process group, waits up to 0.5 s and then sends SIGKILL: also backends that ignore stdin EOF and
#   SIGTERM are gone well within 2 s;
# - when the backend exits, it kills what is left of the backend's process group and exits with the backend's status.
set -u
setsid_cmd=$1
shift
# our own helpers come from the system directories; the backend gets the PATH it was given
backend_path=${PATH-}
PATH=/usr/bin:/bin${PATH:+:$PATH}
d=$(mktemp -d "${TMPDIR:-/tmp}/portolan-watchdog.XXXXXX") || exit 125
if ! mkfifo -m 600 "$d/in"; then rmdir "$d"; exit 125; fi
# fd 4: read end for the backend, fd 5: write end kept by the forwarder (opening read-write first never blocks);
# fd 6: our stdin (a non-interactive sh gives background jobs /dev/null as stdin unless redirected explicitly)
exec 3<>"$d/in" 4<"$d/in" 5>"$d/in" 3>&- 6<&0
rm -rf "$d"
"$setsid_cmd" -w /bin/sh -c 'PATH=$1; shift; printf "portolan-watchdog child %s\n" "$$"; exec "$@"' \
    portolan-sidecar "$backend_path" "$@" <&4 4<&- 5>&- 6<&- &
child=$!
exec 4<&-
(
    trap '' PIPE
    while IFS= read -r line; do
        case $line in
            ">"*) printf '%s\n' "${line#>}" >&5 2>/dev/null ;;
            close) exec 5>&- ;;
        esac
    done
    kill -s TERM -- "-$child" 2>/dev/null || exit 0
    n=0
    while [ $n -lt 10 ] && kill -s 0 -- "-$child" 2>/dev/null; do
        sleep 0.05
        n=$((n + 1))
    done
    kill -s KILL -- "-$child" 2>/dev/null
    exit 0
) <&6 6<&- 4<&- &
forwarder=$!
exec 5>&- 6<&-
trap 'kill -s TERM -- "-$child" 2>/dev/null' TERM HUP INT
while :; do
    wait "$child" 2>/dev/null # dash says "Terminated" of a killed child on its stderr: the backend's stream
    code=$?
    kill -s 0 "$child" 2>/dev/null || break
done
kill -s KILL -- "-$child" 2>/dev/null
kill -s KILL "$forwarder" 2>/dev/null
exit $code
