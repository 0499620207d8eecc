package dev.portolan.tests.common;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the real {@code ./portolan} launcher script of the repository (never building: PORTOLAN_NO_BUILD=1). */
public final class PortolanCli {

    private PortolanCli() {
    }

    /**
     * {@link #start} runs the command with SIGINT and SIGQUIT at their defaults, as a shell on a terminal does, so that a test's
     * Ctrl-C ({@code kill -INT}) reaches it even when this JVM was started from a non-interactive shell's background
     * job (which ignores both, and a script cannot trap a signal ignored when it started). Python execs the script:
     * the pid stays the same.
     */
    private static final List<String> AS_FROM_A_TERMINAL = List.of("/usr/bin/python3", "-c",
            "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                    + "signal.signal(signal.SIGQUIT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])");

    /**
     * Runs the command on a pseudo-terminal (Python's {@code pty.spawn}: stdin, stdout and stderr are the terminal's,
     * as in an interactive shell) and passes on what the terminal shows and the command's exit code.
     */
    private static final List<String> ON_A_TERMINAL = List.of("/usr/bin/python3", "-c",
            "import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))");

    /** Starts {@code ./portolan args...} with extra environment variables (SIGINT at its default: see above). */
    public static ChildProcess start(Map<String, String> env, String... args) throws IOException {
        return start(AS_FROM_A_TERMINAL, env, args);
    }

    private static ChildProcess start(List<String> via, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(via);
        cmd.add(Build.repoRoot().resolve("portolan").toString());
        cmd.addAll(List.of(args));
        java.util.Map<String, String> all = new java.util.HashMap<>(env);
        all.put("PORTOLAN_NO_BUILD", "1");
        all.put("JAVA_HOME", System.getProperty("java.home"));
        return ChildProcess.start(Build.repoRoot(), cmd, all);
    }

    /** Result of a finished command: exit code and output lines (stdout's and stderr's, see {@link ChildProcess}). */
    public record Result(int exitCode, List<String> lines) {
        public String output() {
            return String.join("\n", lines);
        }

        /** The first output line that is a JSON object (a command's {@code --json} result); fails when there is none. */
        public String firstJsonLine() {
            return lines.stream().filter(l -> l.startsWith("{")).findFirst()
                    .orElseThrow(() -> new AssertionError("no JSON line in:\n" + output()));
        }
    }

    /**
     * The environment of a command isolated from the user's and from other tests: its own state directory
     * ({@code XDG_STATE_HOME=state}), local registry ({@code PORTOLAN_RUNTIME_DIR=state/run}) and port range
     * {@code first-last}.
     */
    public static Map<String, String> isolated(Path state, int first, int last) {
        return Map.of("XDG_STATE_HOME", state.toString(), "PORTOLAN_PORT_RANGE", first + "-" + last,
                "PORTOLAN_RUNTIME_DIR", state.resolve("run").toString());
    }

    /**
     * Runs {@code ./portolan args...} to completion on a terminal of its own (stdout and stderr are a pseudo-terminal,
     * as when a user types the command); the lines are what the terminal showed, without their carriage returns.
     */
    public static Result runOnATerminal(Map<String, String> env, Duration timeout, String... args) throws IOException {
        try (ChildProcess p = start(ON_A_TERMINAL, env, args)) {
            int code = p.awaitExit(timeout);
            return new Result(code, p.lines().stream().map(l -> l.replace("\r", "")).toList());
        }
    }

    /** Runs {@code ./portolan args...} to completion. */
    public static Result run(Map<String, String> env, Duration timeout, String... args) throws IOException {
        try (ChildProcess p = start(env, args)) {
            int code = p.awaitExit(timeout);
            return new Result(code, p.lines());
        }
    }
}
