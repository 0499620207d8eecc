package dev.portolan.app.internal.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.portolan.app.internal.plain.ComponentRuntime;

/**
 * The headless commands on a plain class path, without an OSGi framework (what makes {@code ./portolan ports} take
 * a few hundred milliseconds instead of two seconds): {@code java -cp <planned class path> PlainMain <components
 * file> <command> [args]}. The services come from a {@link ComponentRuntime} that wires the bundles' own DS
 * descriptors by service interface; the commands are the very same classes as under {@link CliApplication}.
 * <p>
 * When a command asks for a service that only a real framework can provide (its component needs a BundleContext,
 * or no bundle on the class path offers it) and nothing has been printed yet, the process exits with
 * {@link #HAND_OVER} and the {@code ./portolan} script runs the command in Equinox instead.
 */
public final class PlainMain {

    /** Exit code asking the script to run the command in the OSGi runtime; never seen by a user. */
    public static final int HAND_OVER = 120;

    private PlainMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: PlainMain <components file> <command> [args]");
            System.exit(ExitCodes.USAGE);
        }
        List<String> descriptors = Files.readAllLines(Path.of(args[0])).stream().filter(l -> !l.isBlank()).toList();
        ComponentRuntime runtime = ComponentRuntime.load(PlainMain.class.getClassLoader(), descriptors);
        AtomicBoolean printed = new AtomicBoolean();
        PrintStream out = watched(System.out, printed);
        PrintStream err = watched(System.err, printed);
        System.setOut(out); // components print too (e.g. settings problems): that counts as output
        System.setErr(err);
        Services.use(new PlainServices(runtime, () -> !printed.get()));
        int rc;
        try {
            rc = CliApplication.execute(Arrays.asList(args).subList(1, args.length), out, err);
        } catch (PlainServices.HandOver h) {
            if (Boolean.getBoolean("portolan.plain.strict")) { // PORTOLAN_CLI=plain: say why, do not hand over
                err.println("portolan: " + h.getMessage() + " (PORTOLAN_CLI=plain: not running it in OSGi)");
                rc = ExitCodes.SERVICE_MISSING;
            } else {
                rc = HAND_OVER;
            }
        }
        runtime.close();
        out.flush();
        err.flush();
        System.exit(rc);
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
