package dev.portolan.launch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.launch.internal.SidecarEngine;

/**
 * The front end's {@code debug} setting reaches the launcher (issue 12, one source of settings): switched on, every
 * sidecar it starts gets {@code DEBUG_PORT_DISCOVERY=true}, so the backend's own port finder logs its probes too;
 * switched off again, new sidecars do not; a value the spec sets itself wins.
 */
class DebugSettingTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void theDebugSettingReachesEverySidecarStartedWhileItIsOn() throws Exception {
        try (SidecarEngine engine = new SidecarEngine(AnnouncementCodec.standard(), null)) {
            engine.setDebug(true);
            assertEquals("debug=true", debugSeenBy(engine, LaunchSpec.builder(printDebug())));
            assertEquals("debug=0", debugSeenBy(engine, LaunchSpec.builder(printDebug())
                    .env("DEBUG_PORT_DISCOVERY", "0")), "the spec's own value wins");
            engine.setDebug(false);
            boolean processDebug = "true".equalsIgnoreCase(System.getenv("DEBUG_PORT_DISCOVERY"));
            assertEquals(processDebug ? "debug=true" : "debug=", debugSeenBy(engine, LaunchSpec.builder(printDebug())),
                    "off again, unless this JVM itself runs with DEBUG_PORT_DISCOVERY=true");
        }
    }

    private static List<String> printDebug() {
        return List.of("/bin/sh", "-c", "echo \"debug=$DEBUG_PORT_DISCOVERY\"; exit 3");
    }

    /** The line the child printed before it exited (without announcing: the launch fails, the output stays). */
    private static String debugSeenBy(SidecarEngine engine, LaunchSpec.Builder spec) throws Exception {
        LaunchHandle h = engine.launch(spec.build());
        h.exit().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        return h.output(OutputLine.Stream.STDOUT).stream().map(OutputLine::text).filter(t -> t.startsWith("debug="))
                .findFirst().orElseThrow(() -> new AssertionError("no debug= line in " + h.output()));
    }
}
