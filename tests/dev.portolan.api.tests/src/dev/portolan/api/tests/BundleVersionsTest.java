package dev.portolan.api.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

import dev.portolan.tests.common.Build;

/**
 * The build's check of CONTRIBUTING's version rules over every bundle of the workspace (read from the sources, so a
 * forgotten bump fails the tests): no bundle exports a package with a higher version than its own
 * {@code Bundle-Version}, and every versioned import of a Portolan package accepts the version its bundle exports.
 */
class BundleVersionsTest {

    private static final Pattern VERSION = Pattern.compile(";\\s*version\\s*=\\s*\"?([^\";,]+(?:,[^\";]+)?)\"?");

    /** A bundle's manifest as far as this check reads it. */
    record Bundle(String name, Version version, Map<String, Version> exports, Map<String, VersionRange> imports) {
    }

    @Test
    void noBundleExportsAPackageAboveItsOwnVersion() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Bundle b : workspaceBundles()) {
            problems.addAll(exportsAboveBundleVersion(b));
        }
        assertTrue(problems.isEmpty(), "bump the Bundle-Version with its packages (CONTRIBUTING):\n"
                + String.join("\n", problems));
    }

    @Test
    void everyImportOfAPortolanPackageAcceptsTheExportedVersion() throws IOException {
        List<Bundle> bundles = workspaceBundles();
        Map<String, Version> exported = new LinkedHashMap<>();
        bundles.forEach(b -> exported.putAll(b.exports()));
        List<String> problems = new ArrayList<>();
        for (Bundle b : bundles) {
            b.imports().forEach((pkg, range) -> {
                Version v = exported.get(pkg);
                if (v != null && !range.includes(v)) {
                    problems.add(b.name() + " imports " + pkg + " " + range + " but the workspace exports " + v);
                }
            });
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void theCheckFlagsAPackageAboveItsBundleAndReadsContinuationLines() throws IOException {
        Bundle b = parse("demo", """
                Manifest-Version: 1.0
                Bundle-SymbolicName: demo
                Bundle-Version: 0.1.0.qualifier
                Export-Package: demo.a;version="0.1.3",
                 demo.b;version="0.1.0",
                 demo.internal;x-internal:=true
                Import-Package: demo.c;version="[0.1.2,0.2.0)",
                 demo.d
                """);
        assertEquals(Map.of("demo.a", Version.parseVersion("0.1.3"), "demo.b", Version.parseVersion("0.1.0")),
                b.exports());
        assertEquals(Map.of("demo.c", new VersionRange("[0.1.2,0.2.0)")), b.imports());
        List<String> problems = exportsAboveBundleVersion(b);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("demo.a 0.1.3"), problems.get(0));
        assertEquals(List.of(), exportsAboveBundleVersion(new Bundle("ok", Version.parseVersion("0.1.3.qualifier"),
                b.exports(), Map.of())));
    }

    private static List<String> exportsAboveBundleVersion(Bundle b) {
        Version bundle = withoutQualifier(b.version());
        List<String> problems = new ArrayList<>();
        b.exports().forEach((pkg, v) -> {
            if (withoutQualifier(v).compareTo(bundle) > 0) {
                problems.add(b.name() + " " + bundle + " exports " + pkg + " " + v);
            }
        });
        return problems;
    }

    private static Version withoutQualifier(Version v) {
        return new Version(v.getMajor(), v.getMinor(), v.getMicro());
    }

    private static List<Bundle> workspaceBundles() throws IOException {
        Path bundles = Build.repoRoot().resolve("bundles");
        List<Bundle> result = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(bundles)) {
            for (Path dir : dirs.sorted().toList()) {
                Path mf = dir.resolve("META-INF/MANIFEST.MF");
                if (Files.isRegularFile(mf)) {
                    result.add(parse(dir.getFileName().toString(), Files.readString(mf)));
                }
            }
        }
        assertTrue(result.size() >= 8, "expected every bundle under " + bundles + ", found " + result.size());
        return result;
    }

    static Bundle parse(String name, String manifest) throws IOException {
        Attributes main;
        try (InputStream in = new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8))) {
            main = new Manifest(in).getMainAttributes();
        }
        Map<String, Version> exports = new LinkedHashMap<>();
        for (String clause : clauses(main.getValue("Export-Package"))) {
            Matcher m = VERSION.matcher(clause);
            if (m.find()) {
                exports.put(packageOf(clause), Version.parseVersion(m.group(1)));
            }
        }
        Map<String, VersionRange> imports = new LinkedHashMap<>();
        for (String clause : clauses(main.getValue("Import-Package"))) {
            Matcher m = VERSION.matcher(clause);
            if (m.find()) {
                imports.put(packageOf(clause), new VersionRange(m.group(1)));
            }
        }
        return new Bundle(name, Version.parseVersion(main.getValue("Bundle-Version")), exports, imports);
    }

    /** The clauses of a header: split at commas outside quotes. */
    private static List<String> clauses(String header) {
        List<String> out = new ArrayList<>();
        if (header == null) {
            return out;
        }
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : header.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                out.add(current.toString().strip());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (!current.isEmpty()) {
            out.add(current.toString().strip());
        }
        return out;
    }

    private static String packageOf(String clause) {
        int semi = clause.indexOf(';');
        return (semi < 0 ? clause : clause.substring(0, semi)).strip();
    }
}
