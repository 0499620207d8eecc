package dev.portolan.app.internal.cli;

/**
 * Bad command-line usage; printed with the command's usage and exit code {@link ExitCodes#USAGE}. A bad environment
 * value ({@link #ofEnvironment}) has the same exit code without the usage line: the command line was right.
 */
final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean showsUsage;

    UsageException(String message) {
        this(message, true);
    }

    private UsageException(String message, boolean showsUsage) {
        super(message);
        this.showsUsage = showsUsage;
    }

    /** A bad environment value (or values), which the message names: the command's usage would not help. */
    static UsageException ofEnvironment(String message) {
        return new UsageException(message, false);
    }

    /** Whether the command's usage line follows the message. */
    boolean showsUsage() {
        return showsUsage;
    }
}
