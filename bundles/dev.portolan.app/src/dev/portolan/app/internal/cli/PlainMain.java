package dev.portolan.app.internal.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.portolan.api.Endpoint;
import dev.portolan.app.internal.plain.ComponentRuntime;
import dev.portolan.app.internal.plain.DescriptorFile;
import dev.portolan.core.discovery.EndpointCache;

/**
 * The headless commands on a plain class path, without an OSGi framework (what makes {@code ./portolan ports} take
 * a few hundred milliseconds instead of two seconds): {@code java -cp <planned class path> PlainMain <descriptors
 * file> <command> [args]}. The services come from a {@link ComponentRuntime} that wires the bundles' own DS
 * descriptors by service interface; the commands are the very same classes as under {@link CliApplication} ({@link Cli}).
 * <p>
 * When a command asks for a service that only a real framework can provide (its component needs a BundleContext,
 * or no bundle on the class path offers it) and nothing has been printed yet, the process exits with
 * {@link #HAND_OVER} and the {@code ./portolan} script runs the command in Equinox instead.
 */
public final class PlainMain {

    /** Exit code asking the script to run the command in the OSGi runtime; never seen by a user. */
    public static final int HAND_OVER = 120;
    /** First argument after the descriptors file that asks for a training run (see {@link #train}). */
    static final String TRAIN = "--train";
    /**
     * Set during a training run: a command that would run until interrupted ({@code watch} without a feed) returns
     * once it is set up, so that the training ends.
     */
    static final String TRAINING_PROPERTY = "portolan.cli.training";
    /**
     * Set by the script for {@code PORTOLAN_CLI=plain}: a command this class path cannot run is not handed over, it
     * exits {@link ExitCodes#SERVICE_MISSING} saying why ({@link #NOT_IN_OSGI}).
     */
    private static final String STRICT_PROPERTY = "portolan.plain.strict";
    /** How a message says that {@code PORTOLAN_CLI=plain} keeps the command from the OSGi runtime. */
    private static final String NOT_IN_OSGI = " (PORTOLAN_CLI=plain: not running the command in OSGi)";

    private PlainMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: PlainMain <descriptors file> <command> [args]");
            System.exit(ExitCodes.USAGE);
        }
        // the plan's copy of the descriptors: their bundles' jars are never opened (the classes come from an archive)
        ComponentRuntime runtime;
        try {
            runtime = ComponentRuntime.of(PlainMain.class.getClassLoader(), DescriptorFile.read(Path.of(args[0])));
        } catch (IOException | InvalidPathException e) {
            // an unreadable plan: the command still runs, in the OSGi runtime (the script's hand-over), and stderr says
            // what to do about the plan; PORTOLAN_CLI=plain: it does not run (as for a service only OSGi has)
            boolean strict = Boolean.getBoolean(STRICT_PROPERTY);
            System.err.println("portolan: WARNING: cannot use the plain class path's plan: " + e.getMessage()
                    + (strict ? NOT_IN_OSGI : "; running the command in the OSGi runtime instead"));
            System.exit(strict ? ExitCodes.SERVICE_MISSING : HAND_OVER);
            return;
        }
        if (args.length > 1 && args[1].equals(TRAIN)) {
            train(runtime, Arrays.asList(args).subList(2, args.length));
            return;
        }
        AtomicBoolean printed = new AtomicBoolean();
        PrintStream out = watched(System.out, printed);
        PrintStream err = watched(System.err, printed);
        System.setOut(out); // components print too (e.g. settings problems): that counts as output
        System.setErr(err);
        CliServices.use(new PlainServices(runtime, () -> !printed.get()));
        ParentWatch.start(err);
        int rc;
        try {
            rc = Cli.execute(Arrays.asList(args).subList(1, args.length), out, err);
        } catch (PlainServices.HandOver h) {
            if (Boolean.getBoolean(STRICT_PROPERTY)) { // say why, do not hand over
                err.println("portolan: " + h.getMessage() + NOT_IN_OSGI);
                rc = ExitCodes.SERVICE_MISSING;
            } else {
                rc = HAND_OVER;
            }
        }
        runtime.close();
        out.flush();
        err.flush();
        if (rc == ExitCodes.OK && !otherThreadKeepsTheJvmAlive()) {
            // a normal return ends the JVM with 0 and runs the same shutdown hooks; Runtime.exit would first look up
            // its logger (JDK 21+), which opens every jar of the class path in search of a LoggerFinder (~20 ms of a
            // headless command, docs/performance.md)
            return;
        }
        System.exit(rc);
    }

    /**
     * Whether a live non-daemon thread other than this one would keep the JVM running once {@code main} returns (a
     * command that left one behind still ends: through {@link System#exit}).
     */
    static boolean otherThreadKeepsTheJvmAlive() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 8];
        int n = root.enumerate(threads, true);
        if (n == threads.length) {
            return true; // more threads than the estimate: do not guess
        }
        for (int i = 0; i < n; i++) {
            Thread t = threads[i];
            if (t != Thread.currentThread() && !t.isDaemon() && t.isAlive()) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code --train "cmd args" ...}: runs each command line with its output discarded, so that the JVM can archive
     * the classes all of them load ({@code -XX:ArchiveClassesAtExit}, class-data sharing for the later runs).
     */
    private static void train(ComponentRuntime runtime, List<String> commandLines) {
        System.setProperty(TRAINING_PROPERTY, "true"); // commands that would wait for Ctrl-C return instead
        CliServices.use(new PlainServices(runtime, () -> false));
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        ParentWatch.start(discard); // as the commands run: its classes in the archive too
        for (String line : commandLines) {
            if (line.trim().startsWith("discover")) {
                cacheAGoneEndpoint();
            }
            try {
                Cli.execute(Arrays.asList(line.trim().split("\\s+")), discard, discard);
            } catch (PlainServices.HandOver e) {
                // a command that needs OSGi: nothing more to learn from it
            }
        }
        runtime.close();
        System.exit(0);
    }

    /**
     * Before a {@code discover} training: the endpoint cache names a port nothing listens on. Most runs start from the
     * endpoint a front end cached, and find it gone as often as not; without a cache the archive would miss reading
     * and checking it. Only in a training folder of its own (the script's: {@code XDG_STATE_HOME} is the working
     * directory) and only when there is no cache yet: a training never touches a user's cache.
     */
    private static void cacheAGoneEndpoint() {
        String state = System.getenv("XDG_STATE_HOME");
        EndpointCache cache = EndpointCache.atDefaultLocation();
        try {
            if (state == null || !Files.isSameFile(Path.of(state), Path.of("")) || Files.exists(cache.file())) {
                return;
            }
        } catch (IOException | InvalidPathException e) {
            return;
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // free again once closed: refused when the training's discover tries it
        } catch (IOException e) {
            return; // no cache: the archive is only less complete
        }
        try {
            cache.write(Endpoint.at("127.0.0.1", port, "cache", true), "training");
        } catch (IOException e) {
            // no cache: the archive is only less complete
        }
    }

    /** {@code target}, noting in {@code printed} that something was written. */
    private static PrintStream watched(PrintStream target, AtomicBoolean printed) {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                printed.set(true);
                target.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (len > 0) {
                    printed.set(true);
                }
                target.write(b, off, len);
            }

            @Override
            public void flush() {
                target.flush();
            }
        }, true);
    }
}
