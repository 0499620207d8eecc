package dev.portolan.registry.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryEvent.Kind;
import dev.portolan.api.registry.RegistryListing;
import dev.portolan.core.registry.EntryFiles;
import dev.portolan.core.registry.InstanceEntryCodec;
import dev.portolan.registry.internal.LocalRegistry;
import dev.portolan.tests.common.PrivateFiles;

/** The local file registry on a real directory, with real processes. */
public class LocalRegistryTest {

    private final Path runtime = Entries.runtimeDirectory();
    private final LocalRegistry registry = new LocalRegistry(runtime);

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    void registeredEntriesAreListedPrivatelyAndRemovedOnClose() throws Exception {
        InstanceEntry a = Entries.ofThisProcess("alpha", "a-1", 8009);
        InstanceEntry b = Entries.ofThisProcess("beta", "b-1", 8010);
        Registration ra = registry.register(a);
        Registration rb = registry.register(b);
        assertEquals(List.of(a, b), registry.list(null));
        assertEquals(List.of(b), registry.list("beta"));
        Path file = EntryFiles.file(runtime, a);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(runtime.resolve("instances"))));
        assertEquals(a, InstanceEntryCodec.fromJson(Files.readString(file)), "the local file keeps the API token");
        ra.close();
        ra.close();
        assertFalse(Files.exists(file));
        assertEquals(List.of(b), registry.list(null));
        rb.close();
        assertEquals(List.of(), registry.list(null));
    }

    @Test
    void aClosedRegistrationLeavesTheEntryAnotherProcessFiledUnderItsIdSince() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "300").start();
        try {
            InstanceEntry ours = Entries.ofThisProcess("gamma", "g-1", 8012);
            Registration r = registry.register(ours);
            // a backend started by hand with the same PORTOLAN_INSTANCE_ID replaces the file with its own entry
            InstanceEntry theirs = Entries.of("gamma", "g-1", sleeper.toHandle(), 8013);
            EntryFiles.write(runtime, theirs);
            r.close();
            assertEquals(List.of(theirs), registry.list("gamma"), "not ours to remove");
            assertFalse(EntryFiles.remove(runtime, ours));
            assertTrue(EntryFiles.remove(runtime, theirs));
            assertEquals(List.of(), registry.list("gamma"));
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void badServiceNamesAreRefusedWithTheRule() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> registry.list("Bad Name"));
        assertTrue(e.getMessage().contains("'Bad Name'") && e.getMessage().contains("[a-z0-9._-]"), e.getMessage());
    }

    @Test
    void aSigkilledBackendsEntryIsReaped() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "300").start();
        try {
            InstanceEntry e = Entries.of("svc", "killed", sleeper.toHandle(), 8011);
            registry.register(e);
            assertEquals(List.of(e), registry.list("svc"));
            sleeper.destroyForcibly(); // SIGKILL: no clean exit, the file stays
            assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS));
            assertTrue(Files.exists(EntryFiles.file(runtime, e)));
            RegistryListing listing = registry.listWithReport("svc");
            assertEquals(List.of(), listing.entries());
            assertEquals(1, listing.events().size(), listing.events().toString());
            RegistryEvent reaped = listing.events().get(0);
            assertEquals(Kind.REAPED, reaped.kind());
            assertEquals(e, reaped.entry());
            assertTrue(reaped.detail().contains("process " + e.pid() + " is gone"), reaped.detail());
            assertFalse(Files.exists(EntryFiles.file(runtime, e)));
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void aReusedPidIsReaped() throws Exception {
        InstanceEntry real = Entries.ofThisProcess("svc", "reused", 8012);
        InstanceEntry reused = Entries.withStart(real, real.processStart() - Duration.ofHours(1).toMillis());
        registry.register(reused);
        InstanceEntry fine = Entries.ofThisProcess("svc", "fine", 8013);
        registry.register(fine);
        RegistryListing listing = registry.listWithReport("svc");
        assertEquals(List.of(fine), listing.entries(), "a live pid with another start time is not listed");
        assertEquals(Kind.REAPED, listing.events().get(0).kind());
        assertTrue(listing.events().get(0).detail().contains("now belongs to another process"),
                listing.events().get(0).detail());
    }

    /**
     * An entry's health path is kept in its file as {@code health_path} and read back; a file whose health path could
     * name another server is reported with its path and the rule, and skipped (the good entries are still listed).
     */
    @Test
    void theHealthPathIsKeptAndOneThatLeavesTheServerIsReported() throws Exception {
        InstanceEntry e = Entries.ofThisProcess("svc", "adopted", 8017);
        InstanceEntry adopted = new InstanceEntry(e.schema(), e.service(), e.instanceId(), e.url(), e.host(), e.port(),
                e.pid(), e.processStart(), e.mode(), e.version(), e.startedAt(), e.command(), null, null,
                "/actuator/health");
        registry.register(adopted);
        Path file = EntryFiles.file(runtime, adopted);
        assertTrue(Files.readString(file).contains("\"health_path\":\"/actuator/health\""), Files.readString(file));
        assertEquals(List.of(adopted), registry.list("svc"));
        assertEquals("http://127.0.0.1:8017/actuator/health", registry.list("svc").get(0).healthUrl().toString());

        InstanceEntry other = Entries.ofThisProcess("svc", "other", 8018);
        Path elsewhere = PrivateFiles.write(file.resolveSibling("other.json"), InstanceEntryCodec.toJson(other, true)
                .replace("\"command\"", "\"health_path\":\"//evil.example/health\",\"command\""));
        RegistryListing listing = registry.listWithReport("svc");
        assertEquals(List.of(adopted), listing.entries());
        List<String> problems = listing.events().stream().filter(ev -> ev.kind() == Kind.PROBLEM)
                .map(RegistryEvent::detail).toList();
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains(elsewhere.toString()) && problems.get(0).contains(
                "health path '//evil.example/health' is invalid: use an absolute path"), problems.toString());
    }

    /**
     * A command line too long for an entry (a Java class path alone can be hundreds of kilobytes) is shortened by the
     * writer as the protocol says, so that readers never skip a live instance's entry for its size: a long argument
     * keeps its start and says how much it lost; too many arguments give way to a last one that counts them. A file
     * larger than the limit that a writer did not shorten is still skipped and reported.
     */
    @Test
    void aCommandLineTooLongForAnEntryIsShortenedAndTheEntryStillRead() throws Exception {
        InstanceEntry longArgument = Entries.withCommand(Entries.ofThisProcess("long", "class-path", 8017),
                List.of("java", "-cp", "x".repeat(200_000), "demo.Main", "--port", "8017"));
        registry.register(longArgument);
        Path file = EntryFiles.file(runtime, longArgument);
        assertTrue(Files.size(file) <= InstanceEntryCodec.MAX_BYTES, Files.size(file) + " bytes");
        InstanceEntry read = readAlone("long");
        assertEquals(List.of("java", "-cp", "x".repeat(1000) + "...[199000 characters left out]", "demo.Main",
                "--port", "8017"), read.command());
        assertEquals(Entries.withCommand(longArgument, read.command()), read, "the rest as it was");

        List<String> many = IntStream.range(0, 200).mapToObj(i -> i + "-" + "y".repeat(900)).toList();
        InstanceEntry manyArguments = Entries.withCommand(Entries.ofThisProcess("many", "arguments", 8018), many);
        registry.register(manyArguments);
        long size = Files.size(EntryFiles.file(runtime, manyArguments));
        List<String> kept = readAlone("many").command();
        int n = kept.size() - 1;
        assertEquals(many.subList(0, n), kept.subList(0, n), "the leading arguments whole");
        assertEquals("...[" + (200 - n) + " arguments left out]", kept.get(n));
        assertTrue(size <= InstanceEntryCodec.MAX_BYTES && size > InstanceEntryCodec.MAX_BYTES - 910,
                "as many as fit: " + size + " bytes with " + n + " arguments of ~905 bytes");

        Path bigFile = EntryFiles.file(runtime, "big", "by-hand"); // not shortened: written by hand
        EntryFiles.ensurePrivateDirectories(runtime, bigFile.getParent());
        Path big = PrivateFiles.write(bigFile, "{\"schema\":1,\"command\":[\""
                + "x".repeat(70_000) + "\"]}\n");
        RegistryListing listing = registry.listWithReport("big");
        assertEquals(List.of(), listing.entries());
        assertTrue(listing.events().stream().anyMatch(e -> e.kind() == Kind.PROBLEM && e.detail().contains(big
                + " is larger than " + InstanceEntryCodec.MAX_BYTES + " bytes")), listing.events().toString());
    }

    private InstanceEntry readAlone(String service) throws Exception {
        RegistryListing listing = registry.listWithReport(service);
        assertEquals(List.of(), listing.events().stream().filter(e -> e.kind() == Kind.PROBLEM).toList());
        assertEquals(1, listing.entries().size(), listing.entries().toString());
        return listing.entries().get(0);
    }

    @Test
    void corruptAndTooOpenEntriesAreReportedWithTheirPathAndSkipped() throws Exception {
        InstanceEntry good = Entries.ofThisProcess("svc", "good", 8014);
        registry.register(good);
        Path dir = EntryFiles.file(runtime, good).getParent();
        Path corrupt = PrivateFiles.write(dir.resolve("corrupt.json"), "{\"schema\":1,\"service\":");
        InstanceEntry open = Entries.ofThisProcess("svc", "open", 8015);
        Path openFile = EntryFiles.write(runtime, open);
        Files.setPosixFilePermissions(openFile, PosixFilePermissions.fromString("rw-r--r--"));
        Path badName = PrivateFiles.write(dir.resolve("Bad.json"), InstanceEntryCodec.toJson(
                Entries.ofThisProcess("svc", "other", 8016), true));

        RegistryListing listing = registry.listWithReport("svc");
        assertEquals(List.of(good), listing.entries());
        List<String> problems = listing.events().stream().filter(e -> e.kind() == Kind.PROBLEM)
                .map(RegistryEvent::detail).toList();
        assertEquals(3, problems.size(), problems.toString());
        // what is wrong, on one line, where (as for the settings and cache files: JsonText.problem)
        assertTrue(problems.stream().anyMatch(p -> p.contains(corrupt + " is corrupt: not valid JSON: Unexpected "
                + "end-of-input") && p.contains(" at line 1, column ") && !p.contains("\n")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains(openFile.toString()) && p.contains("chmod 600")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains(badName.toString()) && p.contains("does not match its path")), problems.toString());
        assertTrue(Files.exists(corrupt) && Files.exists(openFile), "skipped files are never deleted");
    }
}
