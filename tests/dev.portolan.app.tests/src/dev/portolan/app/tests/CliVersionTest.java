package dev.portolan.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.Version;

import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.PortolanCli;

/** {@code ./portolan --version} and {@code ./portolan version} through the real script, against the built product. */
class CliVersionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** The version of the product's dev.portolan.app bundle, from its file name in the product's plugins. */
    private static String productAppVersion() throws Exception {
        Path plugins = Build.materializedProduct("dev.portolan.product", "dev.portolan.product").resolve("plugins");
        try (Stream<Path> s = Files.list(plugins)) {
            List<String> names = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("dev.portolan.app_") && n.endsWith(".jar")).toList();
            assertEquals(1, names.size(), "one dev.portolan.app bundle in " + plugins + ": " + names);
            String n = names.get(0);
            return n.substring("dev.portolan.app_".length(), n.length() - ".jar".length());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "--version", "version" })
    void printsOneLineWithTheProductVersion(String arg) throws Exception {
        PortolanCli.Result r = PortolanCli.run(Map.of(), TIMEOUT, arg);
        assertEquals(0, r.exitCode(), r.output());
        assertEquals(List.of("portolan " + productAppVersion()), r.lines(), "exactly one line");
        // the same release as the dev.portolan.app bundle this test runs against (major.minor.micro)
        Version host = FrameworkUtil.getBundle(CliVersionTest.class).getVersion();
        Version printed = Version.parseVersion(r.lines().get(0).substring("portolan ".length()));
        assertEquals(new Version(host.getMajor(), host.getMinor(), host.getMicro()),
                new Version(printed.getMajor(), printed.getMinor(), printed.getMicro()), r.output());
    }

    @Test
    void helpListsVersionAndTheApiRange() throws Exception {
        PortolanCli.Result r = PortolanCli.run(Map.of(), TIMEOUT, "help");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("--version"), r.output());
        assertTrue(r.lines().stream().anyMatch(l -> l.strip().startsWith("api ") && l.contains("--range")),
                r.output());
    }
}
