#!/usr/bin/env bash
# Runs the discovery benchmarks (printed, not asserted) outside OSGi on the classes of the last build.
# Usage: tests/dev.portolan.detect.tests/run-benchmarks.sh [rounds]   (after ./portolan build or ./portolan test)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
cp=""
for m in bundles/dev.portolan.api bundles/dev.portolan.core bundles/dev.portolan.detect \
         tests/dev.portolan.tests.common tests/dev.portolan.detect.tests; do
  [ -d "$root/$m/target/classes" ] || { echo "missing $m/target/classes: build first (./portolan build)" >&2; exit 2; }
  cp="$cp:$root/$m/target/classes"
done
for a in core databind annotations; do
  jar="$(ls "$HOME"/.m2/repository/com/fasterxml/jackson/core/jackson-$a/2.23*/jackson-$a-2.23*.jar 2>/dev/null | head -1)"
  [ -n "$jar" ] || { echo "jackson-$a 2.23 not in ~/.m2: build first" >&2; exit 2; }
  cp="$cp:$jar"
done
for j in "$HOME"/.m2/repository/org/osgi/org.osgi.service.event/*/org.osgi.service.event-*.jar \
         "$HOME"/.m2/repository/org/osgi/org.osgi.framework/*/org.osgi.framework-*.jar; do
  [ -f "$j" ] && cp="$cp:$j"
done
exec "$java" -Dsun.net.httpserver.nodelay=true -cp "${cp#:}" dev.portolan.detect.tests.bench.DiscoveryBenchmark "$@"
