package dev.portolan.feed.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.portolan.tests.common.Build;

/** Runs a script of {@code tests/dev.portolan.feed.tests/python} with Debian's {@code /usr/bin/python3}. */
final class PythonClient {

    record Result(int exitCode, String output) {
    }

    private PythonClient() {
    }

    static Result run(String script, Duration timeout, String... args) throws IOException, InterruptedException {
        Path file = Build.repoRoot().resolve("tests/dev.portolan.feed.tests/python").resolve(script);
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", file.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "read failed: " + e;
            }
        });
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(script + " did not finish within " + timeout);
        }
        return new Result(p.exitValue(), out.join());
    }
}
