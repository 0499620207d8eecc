package dev.portolan.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portolan.tests.common.PortolanCli;

/** PORTOLAN_REGISTRY on the command line: a bad value is a usage error (exit 2) naming the variable and value. */
class CliRegistryTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @Test
    void aBadRegistryValueIsExitTwoNamingTheVariableAndTheValue(@TempDir Path state) throws Exception {
        for (String bad : List.of("etcd://no-port", "consul://h:8500", "etcd://h:2379/bad prefix")) {
            PortolanCli.Result r = PortolanCli.run(Map.of("XDG_STATE_HOME", state.toString(), "PORTOLAN_REGISTRY",
                    bad), TIMEOUT, "discover");
            assertEquals(2, r.exitCode(), r.output());
            assertTrue(r.output().contains("PORTOLAN_REGISTRY='" + bad + "' is not valid"), r.output());
        }
    }
}
