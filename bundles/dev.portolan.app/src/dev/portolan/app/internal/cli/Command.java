package dev.portolan.app.internal.cli;

import java.io.PrintStream;

/** One headless subcommand. */
interface Command {

    /** One-line usage, e.g. {@code ports [--range a-b] [--json]}. */
    String usage();

    /** Runs the command and returns its exit code ({@link ExitCodes}). */
    int run(Args args, PrintStream out, PrintStream err) throws Exception;
}
