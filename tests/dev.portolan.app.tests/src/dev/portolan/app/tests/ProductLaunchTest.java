package dev.portolan.app.tests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;

/** Launches the materialized standalone product (as ./portolan app does) in the real X display of the test run. */
class ProductLaunchTest {

    @Test
    void productStartsWithItsDeclarativeServicesComponentsActive(@TempDir Path tmp) throws Exception {
        Path product = Build.materializedProduct("dev.portolan.product", "dev.portolan.product");
        Path install = tmp.resolve("product");
        Build.copyTree(product, install);
        try (ChildProcess p = ChildProcess.start(install, List.of(ChildProcess.javaExecutable(),
                "-Dosgi.requiredJavaVersion=21", "-jar", Build.launcherJar(install).toString(), "-consoleLog",
                "-data", tmp.resolve("workspace").toString()))) {
            String summary = p.awaitLine(l -> l.startsWith("[portolan] components:"), Duration.ofSeconds(90));
            p.awaitLine(l -> l.contains("Backend Status view opened"), Duration.ofSeconds(60));
            p.saveOutput(Build.repoRoot().resolve("tests/dev.portolan.app.tests/target/product-launch.log"));
            for (String component : List.of("dev.portolan.ports.internal.LoopbackPortFinder",
                    "dev.portolan.core.internal.JacksonAnnouncementCodec")) {
                assertTrue(summary.contains(component + "=ACTIVE") || summary.contains(component + "=SATISFIED"),
                        component + " not active in: " + summary);
            }
            assertFalse(summary.contains("UNSATISFIED"), "unsatisfied components: " + summary);
        }
    }
}
