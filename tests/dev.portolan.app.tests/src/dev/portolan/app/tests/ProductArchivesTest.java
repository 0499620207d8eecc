package dev.portolan.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;

/**
 * Opens each product archive the build writes (three of the five planned platforms: linux.gtk.aarch64 and
 * macosx.cocoa.x86_64 have no current SWT on Maven Central as served here, docs/platforms.md) and checks that it is
 * that platform's: its SWT and
 * launcher library fragments (and no other platform's SWT), the launcher jar, and its start script (executable,
 * running the launcher jar, passing {@code sh -n} and shellcheck when installed).
 */
class ProductArchivesTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** One archive entry: its path and whether it is executable (tar mode; zip entries have none). */
    private record Entry(String name, boolean executable) {
    }

    @ParameterizedTest
    @CsvSource({ "linux, gtk, x86_64, tar.gz, portolan", "win32, win32, x86_64, zip, portolan.cmd",
            "macosx, cocoa, aarch64, tar.gz, Portolan.command" })
    void archiveHoldsItsPlatformsFragmentsAndStartScript(String os, String ws, String arch, String format,
            String script, @TempDir Path tmp) throws Exception {
        Path archive = Build.repoRoot().resolve("releng/dev.portolan.product/target/products")
                .resolve("dev.portolan.product-" + os + "." + ws + "." + arch + "." + format);
        assertTrue(Files.isRegularFile(archive), "missing " + archive);
        List<Entry> all = format.equals("zip") ? zipEntries(archive) : tarEntries(archive);
        // the installation root: the archive root; on macOS Eclipse.app/Contents/Eclipse (p2's macOS layout)
        String root = os.equals("macosx") ? "Eclipse.app/Contents/Eclipse/" : "";
        assertTrue(all.stream().anyMatch(e -> e.name().startsWith(root + "plugins/")), "no " + root + "plugins/ in "
                + archive.getFileName());
        List<Entry> entries = all.stream().filter(e -> e.name().startsWith(root))
                .map(e -> new Entry(e.name().substring(root.length()), e.executable())).toList();

        String swt = "plugins/org.eclipse.swt." + ws + "." + os + "." + arch + "_";
        String launcherFragment = "plugins/org.eclipse.equinox.launcher." + ws + "." + os + "." + arch + "_";
        assertTrue(has(entries, swt), "no " + swt + "* in " + archive.getFileName());
        assertTrue(has(entries, launcherFragment), "no " + launcherFragment + "* in " + archive.getFileName());
        assertTrue(entries.stream().anyMatch(e -> e.name().matches("plugins/org\\.eclipse\\.equinox\\.launcher_.*\\.jar")),
                "no launcher jar in " + archive.getFileName());
        List<String> foreign = entries.stream().map(Entry::name)
                .filter(n -> n.startsWith("plugins/org.eclipse.swt.") && n.matches("plugins/org\\.eclipse\\.swt\\."
                        + "(gtk|win32|cocoa)\\.[a-z0-9]+\\.[a-z0-9_]+_.*") && !n.startsWith(swt))
                .toList();
        assertEquals(List.of(), foreign, "another platform's SWT in " + archive.getFileName());

        Entry start = entries.stream().filter(e -> e.name().equals(script)).findFirst()
                .orElseThrow(() -> new AssertionError("no start script " + script + " at the root of " + archive));
        String text = read(archive, format, root + script, tmp);
        // the JVM's java.util.logging settings beside it, which the script passes (SPI Fly's INFO lines off)
        assertTrue(entries.stream().anyMatch(e -> e.name().equals("logging.properties")),
                "no logging.properties beside " + script + " in " + archive.getFileName());
        assertTrue(text.contains("logging.properties") && text.contains("-Djava.util.logging.config.file="), text);
        assertTrue(read(archive, format, root + "logging.properties", tmp)
                .contains("org.apache.aries.spifly.level = WARNING"), "logging.properties of " + archive.getFileName());
        assertTrue(text.contains("plugins/org.eclipse.equinox.launcher_") || text.contains(
                "plugins\\org.eclipse.equinox.launcher_"), "the script runs the launcher jar:\n" + text);
        if (format.equals("zip")) {
            assertTrue(text.contains("\r\n") && !text.replace("\r\n", "").contains("\n"), "portolan.cmd uses CRLF");
            assertTrue(text.contains("-jar \"%LAUNCHER%\" -consoleLog %*"), text);
            return;
        }
        assertTrue(start.executable(), script + " is not executable in " + archive.getFileName());
        assertEquals(os.equals("macosx"), text.contains("-XstartOnFirstThread"),
                "-XstartOnFirstThread on macOS only:\n" + text);
        Path file = tmp.resolve(script);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        checkShell(file);
    }

    private static void checkShell(Path file) throws IOException {
        try (ChildProcess p = ChildProcess.start(null, List.of("/bin/sh", "-n", file.toString()))) {
            assertEquals(0, p.awaitExit(WAIT), "sh -n " + file.getFileName() + ":\n" + p.output());
        }
        Optional<Path> shellcheck = List.of("/usr/bin/shellcheck", "/usr/local/bin/shellcheck").stream().map(Path::of)
                .filter(Files::isExecutable).findFirst();
        if (shellcheck.isPresent()) {
            try (ChildProcess p = ChildProcess.start(null, List.of(shellcheck.get().toString(), "-s", "sh",
                    file.toString()))) {
                assertEquals(0, p.awaitExit(WAIT), "shellcheck " + file.getFileName() + ":\n" + p.output());
            }
        } else {
            System.out.println("[app-tests] shellcheck is not installed: " + file.getFileName() + " passed sh -n only");
        }
    }

    private static boolean has(List<Entry> entries, String prefix) {
        return entries.stream().anyMatch(e -> e.name().startsWith(prefix));
    }

    private static List<Entry> zipEntries(Path archive) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
                out.add(new Entry(strip(e.nextElement().getName()), false));
            }
        }
        return out;
    }

    /** {@code tar -tzvf}: mode string first, path last (product paths have no spaces). */
    private static List<Entry> tarEntries(Path archive) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (ChildProcess p = ChildProcess.start(null, List.of("tar", "-tzvf", archive.toString()))) {
            assertEquals(0, p.awaitExit(WAIT), "tar -tzvf " + archive + ":\n" + p.output());
            for (String line : p.lines()) {
                String[] f = line.trim().split("\\s+");
                out.add(new Entry(strip(f[f.length - 1]), f[0].charAt(3) == 'x'));
            }
        }
        return out;
    }

    private static String read(Path archive, String format, String name, Path tmp) throws IOException {
        if (format.equals("zip")) {
            try (ZipFile zip = new ZipFile(archive.toFile())) {
                ZipEntry e = zip.stream().filter(z -> strip(z.getName()).equals(name)).findFirst().orElseThrow();
                try (InputStream in = zip.getInputStream(e)) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        }
        Path out = tmp.resolve("x");
        Files.createDirectories(out);
        try (ChildProcess p = ChildProcess.start(out, List.of("tar", "-xzf", archive.toString(), name, "./" + name))) {
            p.awaitExit(WAIT); // one of the two spellings exists: tar complains about the other
        }
        return Files.readString(out.resolve(name), StandardCharsets.UTF_8);
    }

    /** Entry names without a leading {@code ./}. */
    private static String strip(String name) {
        return name.startsWith("./") ? name.substring(2) : name;
    }
}
