#!/bin/sh
# Starts the Portolan product from this installation directory (macOS; double-click opens it in Terminal). Maven
# Central has no native Eclipse launcher, so this runs the launcher jar; SWT on Cocoa needs the first thread
# (-XstartOnFirstThread). Needs a Java 21+ runtime: $JAVA_HOME/bin/java, else /usr/libexec/java_home, else java on
# PATH. Arguments are passed on (e.g. -data DIR for the workspace). docs/platforms.md
set -eu
here=$(cd "$(dirname "$0")" && pwd -P)
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java=$JAVA_HOME/bin/java
elif [ -x /usr/libexec/java_home ] && home=$(/usr/libexec/java_home -v 21+ 2>/dev/null); then
  java=$home/bin/java
elif command -v java >/dev/null 2>&1; then
  java=java
else
  echo "Portolan: no Java found: install a Java 21+ runtime (e.g. Temurin) and try again" >&2
  exit 2
fi
launcher=
for f in "$here"/plugins/org.eclipse.equinox.launcher_*.jar; do
  [ -f "$f" ] && launcher=$f
done
if [ -z "$launcher" ]; then
  echo "Portolan: no plugins/org.eclipse.equinox.launcher_*.jar in $here: is this a Portolan installation?" >&2
  exit 2
fi
set -- -jar "$launcher" -consoleLog "$@"
if [ -f "$here/logging.properties" ]; then # java.util.logging settings (root file): Aries SPI Fly's INFO lines off
  set -- "-Djava.util.logging.config.file=$here/logging.properties" "$@"
fi
exec "$java" -XstartOnFirstThread -XX:TieredStopAtLevel=1 -Dosgi.requiredJavaVersion=21 -Dsun.net.httpserver.nodelay=true \
  "$@"
