package dev.portolan.app.internal.cli;

/** Exit codes of the headless commands; documented in README.md ("The ./portolan launcher"). */
public final class ExitCodes {
    public static final int OK = 0;
    /** Unexpected internal error (a bug): the message and stack trace go to stderr. */
    public static final int INTERNAL = 1;
    /** Usage or configuration error: unknown option, bad value, bad environment variable. */
    public static final int USAGE = 2;
    /** discover: every strategy failed; no backend found. */
    public static final int NOT_FOUND = 3;
    /** discover: the overall timeout passed before any strategy succeeded. */
    public static final int TIMED_OUT = 4;
    /** discover: several unverified backends answer and none proves it is ours; pin one (API_PORT, override). */
    public static final int AMBIGUOUS = 5;
    /** list: the registry's directory (or store) cannot be read at all. */
    public static final int REGISTRY_UNREADABLE = 6;
    /** run: the command could not be started (missing or non-executable program, bad directory). */
    public static final int LAUNCH_FAILED = 10;
    /** run: no valid announcement within the announcement timeout. */
    public static final int ANNOUNCEMENT_TIMEOUT = 11;
    /** run: the process exited before announcing. */
    public static final int EXITED_BEFORE_ANNOUNCING = 12;
    /** run --restart: the backend kept crashing (crash loop) and was given up. */
    public static final int CRASH_LOOP = 13;
    /** run without --restart: the backend exited by itself after announcing. */
    public static final int BACKEND_EXITED = 14;
    /** run: the backend announced a port that another process (not in its process tree) serves. */
    public static final int PORT_NOT_OURS = 15;
    /**
     * metrics: no running feed was found, or it does not answer (or not with 200); watch: the feed it followed went
     * away and none came back in time (without a feed at the start, watch watches the registry instead).
     */
    public static final int NO_FEED = 16;
    /** A required Portolan service did not come up in the OSGi runtime. */
    public static final int SERVICE_MISSING = 20;

    private ExitCodes() {
    }
}
