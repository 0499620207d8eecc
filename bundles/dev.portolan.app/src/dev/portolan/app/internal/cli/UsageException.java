package dev.portolan.app.internal.cli;

/** Bad command-line usage; printed with the command's usage and exit code {@link ExitCodes#USAGE}. */
final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
