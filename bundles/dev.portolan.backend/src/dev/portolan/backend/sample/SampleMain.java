package dev.portolan.backend.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.portolan.api.Announcement;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortAllocationException;
import dev.portolan.backend.BackendConfigException;
import dev.portolan.backend.JavaBackend;

/**
 * The sample backend's command line: arguments, start, the sidecar's stdin watch (EOF or {@code sidecar shutdown}),
 * exit codes ({@link SampleBackend}'s constants). Split from {@link SampleBackend} so that each reads on its own.
 */
final class SampleMain {

    private SampleMain() {
    }


    /** Runs the backend until it is told to stop; returns the exit code. */
    static int run(String[] args, Map<String, String> env, InputStream stdin, PrintStream out, PrintStream err) {
        String mode = Announcement.MODE_SIDECAR;
        Integer port = null;
        PortRange range = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
            case "--sidecar" -> mode = Announcement.MODE_SIDECAR;
            case "--standalone" -> mode = Announcement.MODE_STANDALONE;
            case "--port", "--range" -> {
                if (i + 1 >= args.length) {
                    err.println("sample-backend: " + a + " needs a value");
                    return SampleBackend.EXIT_USAGE;
                }
                String v = args[++i];
                try {
                    if (a.equals("--port")) {
                        port = Integer.parseInt(v);
                        if (port < 0 || port > 65535) {
                            throw new NumberFormatException();
                        }
                    } else {
                        range = PortRange.parse(v);
                    }
                } catch (IllegalArgumentException e) {
                    err.println("sample-backend: invalid " + a + " '" + v + "': "
                            + (a.equals("--port") ? "expected a port 0-65535 (0 = OS-assigned)" : PortRange.EXPECTED));
                    return SampleBackend.EXIT_USAGE;
                }
            }
            case "--help", "-h" -> {
                out.println("usage: SampleBackend [--sidecar | --standalone] [--port N] [--range FIRST-LAST]");
                out.println("env: API_PORT, PORTOLAN_PORT_RANGE, DEBUG_PORT_DISCOVERY, PORTOLAN_IDENTITY_KEY,"
                        + " PORTOLAN_API_TOKEN, PORTOLAN_CHALLENGE, PORTOLAN_ALLOWED_ORIGINS; test hooks (off by default): "
                        + SampleFaults.DELAY_ENV + ", " + SampleFaults.FAULT_FILE_ENV);
                return SampleBackend.EXIT_OK;
            }
            default -> {
                err.println("sample-backend: unknown argument '" + a + "' (try --help)");
                return SampleBackend.EXIT_USAGE;
            }
            }
        }
        SampleBackend b;
        JavaBackend jb;
        try {
            jb = JavaBackend.builder().mode(mode).port(port).range(range).environment(env).out(out)
                    .version(SampleBackend.VERSION).build();
            b = SampleBackend.start(jb);
        } catch (BackendConfigException e) {
            err.println("sample-backend: " + e.getMessage());
            return SampleBackend.EXIT_USAGE;
        } catch (PortAllocationException e) {
            err.println("sample-backend: no port: " + e.getMessage());
            return SampleBackend.EXIT_NO_PORT;
        } catch (IOException e) {
            err.println("sample-backend: " + e.getMessage());
            return SampleBackend.EXIT_FAILURE;
        }
        if (!jb.range().contains(b.port()) && jb.request().environment().get(EnvironmentVariables.API_PORT) == null) {
            err.println("sample-backend: every port of " + jb.range() + " is taken: serving on port " + b.port()
                    + ", which the OS assigned (widen the range: --range or PORTOLAN_PORT_RANGE)");
        }
        err.println("sample-backend: " + mode + " serving on " + b.announcement().url() + " (pid "
                + ProcessHandle.current().pid() + ")");
        Runtime.getRuntime().addShutdownHook(new Thread(b::close, "sample-backend-shutdown")); // SIGTERM, Ctrl-C
        if (Announcement.MODE_SIDECAR.equals(mode)) {
            String reason = watchStdin(stdin);
            err.println("sample-backend: " + reason + ", stopping");
            b.close();
            return SampleBackend.EXIT_OK;
        }
        try {
            b.awaitClosed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return SampleBackend.EXIT_OK;
    }

    /** Blocks until stdin reaches EOF or carries {@value SampleBackend#SHUTDOWN_COMMAND}; returns why. */
    private static String watchStdin(InputStream stdin) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.strip().equals(SampleBackend.SHUTDOWN_COMMAND)) {
                    return "'" + SampleBackend.SHUTDOWN_COMMAND + "' received";
                }
            }
            return "stdin closed";
        } catch (IOException e) {
            return "stdin failed (" + e.getMessage() + ")";
        }
    }
}
