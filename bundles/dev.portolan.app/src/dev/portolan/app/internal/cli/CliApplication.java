package dev.portolan.app.internal.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.equinox.app.IApplication;
import org.eclipse.equinox.app.IApplicationContext;

/**
 * The headless command-line application ({@code -application dev.portolan.app.cli}) behind {@code ./portolan
 * discover|ports|list|run}. Its exit code is the command's ({@link ExitCodes}).
 */
public final class CliApplication implements IApplication {

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("discover", new DiscoverCommand());
        COMMANDS.put("ports", new PortsCommand());
        COMMANDS.put("list", new ListCommand());
        COMMANDS.put("run", new RunCommand());
    }

    @Override
    public Object start(IApplicationContext context) {
        String[] raw = (String[]) context.getArguments().get(IApplicationContext.APPLICATION_ARGS);
        context.applicationRunning();
        return execute(raw == null ? List.of() : Arrays.asList(raw), System.out, System.err);
    }

    static int execute(List<String> argv, PrintStream out, PrintStream err) {
        if (argv.isEmpty() || !COMMANDS.containsKey(argv.get(0))) {
            err.println(argv.isEmpty() ? "portolan: no command given" : "portolan: unknown command '" + argv.get(0) + "'");
            COMMANDS.values().forEach(c -> err.println("usage: portolan " + c.usage()));
            return ExitCodes.USAGE;
        }
        Command command = COMMANDS.get(argv.get(0));
        try {
            return command.run(new Args(argv.subList(1, argv.size())), out, err);
        } catch (UsageException e) {
            err.println("portolan: " + e.getMessage());
            err.println("usage: portolan " + command.usage());
            return ExitCodes.USAGE;
        } catch (Services.MissingServiceException e) {
            err.println("portolan: " + e.getMessage());
            return ExitCodes.SERVICE_MISSING;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("portolan: interrupted");
            return ExitCodes.INTERNAL;
        } catch (Exception e) {
            err.println("portolan: internal error in '" + argv.get(0) + "': " + e);
            e.printStackTrace(err);
            return ExitCodes.INTERNAL;
        } finally {
            out.flush();
            err.flush();
        }
    }

    @Override
    public void stop() {
        // commands end by themselves; SIGTERM runs the shutdown hooks (run stops its process tree there)
    }
}
