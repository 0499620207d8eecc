package dev.portolan.backend.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portolan.api.Announcement;
import dev.portolan.backend.BackendRegistration;
import dev.portolan.backend.RegistryIdentity;

/** The Java helper registers under the instance id a front end gives it ({@code PORTOLAN_INSTANCE_ID}, issue 14). */
class InstanceIdTest {

    private static final Announcement ANNOUNCED = Announcement.of("sidecar", "127.0.0.1", 22150);

    @Test
    void theFrontEndsInstanceIdIsTheRegistryInstanceId() {
        var env = Map.of("PORTOLAN_INSTANCE_ID", "workers-2", "PORTOLAN_SERVICE", "workers");
        assertEquals("workers-2", BackendRegistration.entry("workers", ANNOUNCED, "127.0.0.1",
                RegistryIdentity.generate(), env).instanceId());
        assertTrue(BackendRegistration.instanceIdProblem(env).isEmpty());
    }

    @Test
    void withoutOneTheIdIsGenerated() {
        String id = BackendRegistration.entry("default", ANNOUNCED, "127.0.0.1", RegistryIdentity.generate(),
                Map.of()).instanceId();
        assertTrue(id.startsWith("22150-" + ProcessHandle.current().pid() + "-"), id);
    }

    @Test
    void aBadValueIsNamedAndTheGeneratedIdIsUsed() {
        for (String bad : new String[] { "../etc", ".hidden", "a b", "x".repeat(129) }) {
            var env = Map.of("PORTOLAN_INSTANCE_ID", bad);
            String problem = BackendRegistration.instanceIdProblem(env).orElseThrow();
            assertTrue(problem.startsWith("PORTOLAN_INSTANCE_ID='" + bad + "' is invalid"), problem);
            String id = BackendRegistration.entry("default", ANNOUNCED, "127.0.0.1", RegistryIdentity.generate(), env)
                    .instanceId();
            assertTrue(id.startsWith("22150-"), id);
        }
    }
}
