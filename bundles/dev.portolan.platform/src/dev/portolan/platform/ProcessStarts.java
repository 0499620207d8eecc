package dev.portolan.platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Whether a process runs and when it started, read from {@code /proc} on Linux. The first {@link ProcessHandle} use in
 * a fresh JVM costs ~25 ms (its class initialization creates the process reaper's executor; the start time is a
 * native read), which is a tenth of a {@code ./portolan} command's budget; {@code /proc/<pid>/stat} and the boot time
 * give the same figures ({@code ProcessHandle.Info.startInstant()} computes boot time + start ticks at
 * {@code USER_HZ} = 100). Elsewhere, or when {@code /proc} cannot be read, {@link ProcessHandle}. @since 0.1.2
 */
public final class ProcessStarts {

    /** Clock ticks per second of {@code /proc} times: {@code USER_HZ}, 100 on every Linux architecture Java runs on. */
    private static final int USER_HZ = 100;
    /** {@code starttime} is field 22 of {@code /proc/<pid>/stat}; after {@code comm} (field 2) it is the 20th. */
    private static final int START_AFTER_COMM = 20;
    private static final Path PROC = Path.of("/proc");
    private static volatile long bootMillis = -1;

    private ProcessStarts() {
    }

    /** This process's pid. */
    public static long currentPid() {
        try {
            String stat = stat("self");
            return Long.parseLong(stat.substring(0, stat.indexOf(' ')));
        } catch (IOException | RuntimeException noProc) {
            return ProcessHandle.current().pid();
        }
    }

    /** When process {@code pid} started, in epoch milliseconds; empty when it does not run (or cannot be read). */
    public static OptionalLong startMillis(long pid) {
        try {
            return OptionalLong.of(fromStat(stat(Long.toString(pid))));
        } catch (NoSuchFileException gone) {
            return Files.isDirectory(PROC.resolve("self")) ? OptionalLong.empty() : viaHandle(pid);
        } catch (IOException | RuntimeException noProc) {
            return viaHandle(pid);
        }
    }

    /** Whether process {@code pid} runs. */
    public static boolean alive(long pid) {
        if (Files.isDirectory(PROC.resolve("self"))) {
            return Files.isDirectory(PROC.resolve(Long.toString(pid)));
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static OptionalLong viaHandle(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).flatMap(h -> h.info().startInstant())
                .map(i -> OptionalLong.of(i.toEpochMilli())).orElse(OptionalLong.empty());
    }

    private static String stat(String pid) throws IOException {
        return Files.readString(PROC.resolve(pid).resolve("stat"), StandardCharsets.US_ASCII);
    }

    private static long fromStat(String stat) throws IOException {
        // comm may hold blanks and parentheses: the fields after it start after the last ')'
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(after[START_AFTER_COMM - 1]);
        return bootMillis() + ticks * 1000 / USER_HZ;
    }

    /** The {@code btime} line of {@code /proc/stat}: the boot time, in epoch milliseconds. */
    private static long bootMillis() throws IOException {
        long b = bootMillis;
        if (b >= 0) {
            return b;
        }
        String stat = Files.readString(PROC.resolve("stat"), StandardCharsets.US_ASCII);
        int at = stat.indexOf("\nbtime ");
        if (at < 0) {
            throw new IOException("no btime in /proc/stat");
        }
        int end = stat.indexOf('\n', at + 1);
        b = Long.parseLong(stat.substring(at + 7, end < 0 ? stat.length() : end).strip()) * 1000;
        bootMillis = b;
        return b;
    }
}
