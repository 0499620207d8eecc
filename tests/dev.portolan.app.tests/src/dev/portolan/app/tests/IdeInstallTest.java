package dev.portolan.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;

/**
 * Installs dev.portolan.feature from the built p2 update site into a plain Eclipse workbench installation (built
 * without Portolan) with the p2 director, then starts that IDE and waits until the Backend Status view is opened.
 */
class IdeInstallTest {

    @Test
    void updateSiteInstallsIntoAPlainEclipseWorkbenchAndTheViewOpens(@TempDir Path tmp) throws Exception {
        Path ide = tmp.resolve("ide");
        Build.copyTree(Build.materializedProduct("dev.portolan.mockide", "dev.portolan.mockide"), ide);
        Path site = Build.repoRoot().resolve("releng/dev.portolan.repository/target/repository");
        assertTrue(Files.isRegularFile(site.resolve("content.jar")) || Files.isRegularFile(site.resolve("content.xml.xz")),
                "update site not built at " + site);
        Path bundlesInfo = ide.resolve("configuration/org.eclipse.equinox.simpleconfigurator/bundles.info");
        assertTrue(Files.readAllLines(bundlesInfo).stream().noneMatch(l -> l.startsWith("dev.portolan.")),
                "the plain workbench must not contain Portolan before the install");

        // what Eclipse and SWT keep in the home directory (~/.eclipse, ~/.swt/trims.prefs) under the test's folder
        String home = "-Duser.home=" + tmp.resolve("home");
        List<String> director = new ArrayList<>(List.of(ChildProcess.javaExecutable(), home, "-jar",
                Build.launcherJar(ide).toString(), "-nosplash", "-consoleLog", "-application",
                "org.eclipse.equinox.p2.director", "-repository", site.toUri().toString(), "-installIU",
                "dev.portolan.feature.feature.group", "-destination", ide.toString(), "-profile", "DefaultProfile"));
        try (ChildProcess p = ChildProcess.start(ide, director)) {
            int code;
            try {
                code = p.awaitExit(Duration.ofSeconds(300));
            } finally {
                p.saveOutput(Build.repoRoot().resolve("tests/dev.portolan.app.tests/target/p2-install.log"));
            }
            assertEquals(0, code, "p2 director failed:\n" + p.output());
            assertTrue(p.output().contains("Operation completed"), p.output());
        }
        List<String> installed = Files.readAllLines(bundlesInfo, StandardCharsets.UTF_8);
        for (String bsn : List.of("dev.portolan.api", "dev.portolan.core", "dev.portolan.ports", "dev.portolan.ui",
                "com.fasterxml.jackson.core.jackson-databind")) {
            assertTrue(installed.stream().anyMatch(l -> l.startsWith(bsn + ",")), bsn + " not installed");
        }

        try (ChildProcess p = ChildProcess.start(ide, List.of(ChildProcess.javaExecutable(), home, "-jar",
                Build.launcherJar(ide).toString(), "-nosplash", "-consoleLog", "-data",
                tmp.resolve("workspace").toString()))) {
            try {
                p.awaitLine(l -> l.contains("Backend Status view opened"), Duration.ofSeconds(180));
            } finally { // kept for diagnosis, also (above all) when the view never opened
                p.saveOutput(Build.repoRoot().resolve("tests/dev.portolan.app.tests/target/ide-start.log"));
            }
        }
    }
}
