package dev.portolan.ports.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import dev.portolan.api.PortRange;
import dev.portolan.backend.JavaCommand;
import dev.portolan.ports.PortFinders;
import dev.portolan.ports.internal.FindFreeTool;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;

/**
 * The number-API collision benchmark (docs/ports.md, "Leases"): 10 processes × 20 {@code findFreePort} asks at once,
 * each port bound 20 ms after it was handed out; collisions counted, leased vs the pre-lease behaviour. Only with
 * {@code PORTOLAN_BENCH=1}; prints figures, asserts nothing about them.
 */
@EnabledIfEnvironmentVariable(named = "PORTOLAN_BENCH", matches = "1")
class LeaseBenchmark {

    static final int PROCESSES = 10;
    static final int ASKS = 20;
    static final Duration WAIT = Duration.ofMinutes(2);

    @Test
    void numberApiCollisions() throws Exception {
        for (String range : List.of(PortRange.DEFAULT.toString(), "22900-23199")) {
            for (int round = 0; round < 3; round++) {
                int unleased = run(range, true, round);
                int leased = run(range, false, round);
                System.out.printf("findFreePort collisions, %d processes x %d asks, bind 20 ms later, range %s: "
                        + "unleased %d/%d, leased %d/%d%n", PROCESSES, ASKS, range, unleased, PROCESSES * ASKS,
                        leased, PROCESSES * ASKS);
            }
        }
    }

    private static int run(String range, boolean unleased, int round) throws Exception {
        Path lockDir = Build.repoRoot().resolve("tests/dev.portolan.ports.tests/target/lease-bench/" + round
                + (unleased ? "-unleased" : "-leased"));
        Files.createDirectories(lockDir);
        List<String> args = new ArrayList<>(List.of("--range", range, "--asks", Integer.toString(ASKS),
                "--bind-after-ms", "20", "--lock-dir", lockDir.toString()));
        if (unleased) {
            args.add("--unleased");
        }
        List<String> cmd = JavaCommand.of(List.of(), List.of(FindFreeTool.class, PortRange.class, PortFinders.class),
                FindFreeTool.class, args);
        List<ChildProcess> children = new ArrayList<>();
        try {
            for (int i = 0; i < PROCESSES; i++) {
                children.add(ChildProcess.start(null, cmd));
            }
            int collisions = 0;
            for (ChildProcess c : children) {
                String line = c.awaitLine(l -> l.startsWith("asks "), WAIT);
                collisions += Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
                c.awaitLine(l -> l.equals("done"), WAIT);
            }
            assertTrue(collisions <= PROCESSES * ASKS);
            return collisions;
        } finally {
            children.forEach(ChildProcess::close);
        }
    }
}
