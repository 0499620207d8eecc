package dev.portolan.app.internal.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The headless commands behind {@code ./portolan discover|ports|run}: the table of commands and their dispatch, shared
 * by the OSGi application ({@link CliApplication}) and the plain class path ({@link PlainMain}). Nothing here needs
 * the OSGi framework: the plain path must not load the Equinox application classes (signed jars are verified when
 * read and cannot be class-data shared).
 */
final class Cli {

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    private Cli() {
    }

    static {
        COMMANDS.put("discover", new DiscoverCommand());
        COMMANDS.put("ports", new PortsCommand());
        COMMANDS.put("list", new ListCommand());
        COMMANDS.put("run", new RunCommand());
        COMMANDS.put("watch", new WatchCommand());
        COMMANDS.put("metrics", new MetricsCommand());
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
            if (e.showsUsage()) {
                err.println("usage: portolan " + command.usage());
            }
            return ExitCodes.USAGE;
        } catch (CliServices.MissingServiceException e) {
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
}
