package dev.portolan.api.launch;

/**
 * OSGi EventAdmin topics and property names the launcher posts (asynchronously, {@code postEvent}) when an
 * EventAdmin service is present. Subscribe with {@code event.topics=dev/portolan/sidecar/*}. Output lines are not
 * posted (too many): use a {@link SidecarListener} for them. @since 0.1.1
 */
public final class SidecarEvents {

    /** Prefix of all sidecar topics. */
    public static final String TOPIC_PREFIX = "dev/portolan/sidecar/";
    /** A state change: {@link #STATE}, {@link #OLD_STATE} and the common properties. */
    public static final String TOPIC_STATE = TOPIC_PREFIX + "STATE";
    /** An accepted announcement: {@link #PORT}, {@link #URL}, {@link #HEALTH_URL}, {@link #VERIFIED}, ... */
    public static final String TOPIC_ANNOUNCED = TOPIC_PREFIX + "ANNOUNCED";
    /** A process incarnation exited: {@link #EXIT_CODE}, {@link #EXPECTED}, {@link #RESTARTING}. */
    public static final String TOPIC_EXITED = TOPIC_PREFIX + "EXITED";
    /** A diagnostic (rejected announcement, scheduled restart, escalation): {@link #MESSAGE}. */
    public static final String TOPIC_DIAGNOSTIC = TOPIC_PREFIX + "DIAGNOSTIC";

    /** Common: the {@link LaunchHandle} (an object; not serializable). */
    public static final String HANDLE = "handle";
    /** Common: a launcher-unique id of the launch, {@code sidecar-N} (the token is never posted). */
    public static final String LAUNCH_ID = "launch.id";
    /** Common: the command line, a {@code String[]}. */
    public static final String COMMAND = "command";
    /** Common: the pid of the current incarnation ({@code Long}), absent when none runs. */
    public static final String PID = "pid";
    /** Common: the restart count ({@code Integer}). */
    public static final String RESTART_COUNT = "restart.count";
    /** STATE: the new state name. */
    public static final String STATE = "state";
    /** STATE: the previous state name. */
    public static final String OLD_STATE = "old.state";
    /** STATE: the failure message when the new state is FAILED. */
    public static final String FAILURE = "failure";
    /** ANNOUNCED: the {@link dev.portolan.api.Announcement} object. */
    public static final String ANNOUNCEMENT = "announcement";
    /** ANNOUNCED: port ({@code Integer}). */
    public static final String PORT = "port";
    /** ANNOUNCED: base URL string. */
    public static final String URL = "url";
    /** ANNOUNCED: health URL string. */
    public static final String HEALTH_URL = "health.url";
    /** ANNOUNCED: whether the launch token was echoed ({@code Boolean}). */
    public static final String VERIFIED = "verified";
    /** EXITED: exit code ({@code Integer}). */
    public static final String EXIT_CODE = "exit.code";
    /** EXITED: whether the exit was asked for ({@code Boolean}). */
    public static final String EXPECTED = "expected";
    /** EXITED: whether a restart is scheduled ({@code Boolean}). */
    public static final String RESTARTING = "restarting";
    /** DIAGNOSTIC: the message. */
    public static final String MESSAGE = "message";

    private SidecarEvents() {
    }
}
