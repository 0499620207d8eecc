package dev.portolan.platform.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.portolan.platform.Platforms;
import dev.portolan.platform.ProcessTrees;
import dev.portolan.platform.internal.PosixProcessTrees;
import dev.portolan.platform.internal.Tools;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.ProcessLiveness;

/** The POSIX process-tree kill on real processes (Linux; the same code runs on macOS with ps instead of /proc). */
class ProcessTreesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aGroupLeadersWholeGroupIsSignalledAlsoAMemberThatWasReparentedAway() throws Exception {
        String setsid = Tools.system().find("setsid").orElseThrow().toString();
        // the subshell starts a sleep and exits: that sleep is re-parented (no longer a descendant) but stays in
        // the group that setsid made; then sh becomes the group leader's sleep
        try (ChildProcess root = ChildProcess.start(null, List.of(setsid, "/bin/sh", "-c",
                "(sleep 300 & echo \"orphan $!\"); echo ready; exec sleep 300"))) {
            root.awaitLine("ready"::equals, WAIT);
            long orphan = Long.parseLong(root.awaitLine(l -> l.startsWith("orphan "), WAIT).substring(7));
            ProcessHandle leader = root.process().toHandle();
            assertTrue(leader.descendants().noneMatch(h -> h.pid() == orphan), "re-parented away");
            assertTrue(ProcessHandle.of(orphan).isPresent(), "the orphan runs");

            List<Long> signalled = Platforms.current().processes().signalTree(leader, false);
            assertEquals(leader.pid(), signalled.get(0));
            assertTrue(ProcessLiveness.gone(leader.pid(), WAIT), "SIGTERM reached the leader");
            assertTrue(ProcessLiveness.gone(orphan, WAIT), "SIGTERM to the group reached the re-parented member");
        }
    }

    @Test
    void aRootThatDoesNotLeadItsGroupIsNeverSignalledAsAGroup() throws Exception {
        // this child is in the test JVM's own process group: a group signal would hit the test runtime itself
        try (ChildProcess root = ChildProcess.start(null,
                List.of("/bin/sh", "-c", "sleep 300 & echo \"child $!\"; wait"))) {
            long child = Long.parseLong(root.awaitLine(l -> l.startsWith("child "), WAIT).substring(6));
            ProcessTrees trees = new PosixProcessTrees(Tools.system().find("kill"), Optional.empty(), Path.of("/proc"));
            List<Long> signalled = trees.signalTree(root.process().toHandle(), true);
            assertTrue(signalled.contains(child), signalled.toString());
            assertTrue(ProcessLiveness.gone(root.process().pid(), WAIT));
            assertTrue(ProcessLiveness.gone(child, WAIT), "descendants are signalled by pid");
            assertTrue(ProcessHandle.current().isAlive());
        }
    }
}
