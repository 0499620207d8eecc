package dev.portolan.api;

/**
 * Which Eclipse application this runtime runs: the standalone product's workbench decides things the IDE plug-in,
 * the headless commands and the tests do not (start the feed, start the backend while the framework starts).
 *
 * @since 0.1.6
 */
public final class RunningApplication {

    /** The standalone product's workbench application. */
    public static final String PRODUCT = "dev.portolan.app.application";

    private RunningApplication() {
    }

    /** Whether this runtime runs the standalone product's workbench application. */
    public static boolean isProduct() {
        return PRODUCT.equals(id(System.getProperty("eclipse.commands"), System.getProperty("eclipse.application")));
    }

    /**
     * The {@code -application} argument in {@code commands} (the command line, one argument per line, as Equinox
     * keeps it in {@code eclipse.commands}) when there is one, else {@code configured}: the headless commands run
     * inside the product's configuration, whose {@code eclipse.application} names the workbench.
     */
    public static String id(String commands, String configured) {
        if (commands != null) {
            String[] args = commands.split("\\R");
            for (int i = 0; i + 1 < args.length; i++) {
                if (args[i].strip().equalsIgnoreCase("-application")) {
                    return args[i + 1].strip();
                }
            }
        }
        return configured;
    }
}
