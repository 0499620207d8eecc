package dev.portolan.app.internal.cli;

import java.util.Arrays;
import java.util.List;

import org.eclipse.equinox.app.IApplication;
import org.eclipse.equinox.app.IApplicationContext;

/**
 * The headless command-line application ({@code -application dev.portolan.app.cli}) behind {@code ./portolan
 * discover|ports|run} in the OSGi runtime; the commands are in {@link Cli}. Its exit code is the command's
 * ({@link ExitCodes}).
 */
public final class CliApplication implements IApplication {

    @Override
    public Object start(IApplicationContext context) {
        String[] raw = (String[]) context.getArguments().get(IApplicationContext.APPLICATION_ARGS);
        context.applicationRunning();
        ParentWatch.start(System.err);
        return Cli.execute(raw == null ? List.of() : Arrays.asList(raw), System.out, System.err);
    }

    @Override
    public void stop() {
        // commands end by themselves; SIGTERM runs the shutdown hooks (run stops its process tree there)
    }
}
