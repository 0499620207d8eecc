package dev.portolan.launch.tests;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;

import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ProcessLiveness;

/** The fake sidecars in tests/dev.portolan.launch.tests/fakes and small process helpers. */
final class Fakes {

    /** Debian's python (the fakes need only the standard library). */
    static final String PYTHON = "/usr/bin/python3";
    /** This helper's port band. */
    static final String RANGE = "21000-21999";

    private Fakes() {
    }

    static Path fake(String name) {
        return Build.repoRoot().resolve("tests/dev.portolan.launch.tests/fakes").resolve(name);
    }

    /** {@code python3 fake_sidecar.py --range 21000-21999 <options>}. */
    static LaunchSpec.Builder python(String... options) {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, fake("fake_sidecar.py").toString(), "--range", RANGE));
        cmd.addAll(List.of(options));
        return LaunchSpec.builder(cmd).announcementTimeout(Duration.ofSeconds(30));
    }

    /** Waits (onExit, with a deadline) until the process with this pid is gone. */
    static void awaitGone(long pid, Duration timeout) {
        ProcessHandle.of(pid).ifPresent(h -> awaitGone(h, timeout));
    }

    /** Waits ({@link ProcessLiveness#gone}) until the process is gone; fails after the timeout. */
    static void awaitGone(ProcessHandle h, Duration timeout) {
        if (!ProcessLiveness.gone(h, System.nanoTime() + timeout.toNanos())) {
            throw new AssertionError("process " + h.pid() + " " + h.info().commandLine().orElse("")
                    + " still alive after " + timeout);
        }
    }

    /** The process group of a live process ({@code /proc/<pid>/stat}: pid (comm) state ppid pgrp ...). */
    static long pgid(long pid) throws IOException {
        String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(after[2]);
    }

    /** Whether the port can be bound on 127.0.0.1 right now. */
    static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static <T> T get(java.util.concurrent.CompletableFuture<T> f, Duration timeout) throws Exception {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }
}
