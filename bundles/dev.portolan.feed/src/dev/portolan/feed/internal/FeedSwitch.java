package dev.portolan.feed.internal;

import java.util.Locale;
import java.util.Map;

import dev.portolan.api.RunningApplication;
import dev.portolan.api.feed.EventFeed;

/**
 * Whether the feed starts with the runtime: {@code -Dportolan.feed} (true/false) wins, then {@code PORTOLAN_FEED},
 * else on in the standalone product's workbench ({@link RunningApplication#PRODUCT}: cheap, one idle Jetty on an
 * OS-assigned loopback port) and off elsewhere (IDE plug-in, headless commands, tests; {@link RunningApplication}).
 */
final class FeedSwitch {

    static final String ENV = "PORTOLAN_FEED";

    /** The decision and, when a value was bad, a message naming it. */
    record Decision(boolean enabled, String problem) {
    }

    private FeedSwitch() {
    }

    static Decision decide() {
        return decide(System.getProperty(EventFeed.ENABLE_PROPERTY), System.getenv(),
                RunningApplication.id(System.getProperty("eclipse.commands"), System.getProperty("eclipse.application")));
    }

    static Decision decide(String property, Map<String, String> env, String application) {
        boolean byDefault = RunningApplication.PRODUCT.equals(application);
        String where = property != null ? "-D" + EventFeed.ENABLE_PROPERTY : ENV;
        String raw = property != null ? property : env.get(ENV);
        if (raw == null || raw.isBlank()) {
            return new Decision(byDefault, null);
        }
        switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on":
                return new Decision(true, null);
            case "false", "0", "no", "off":
                return new Decision(false, null);
            default:
                return new Decision(byDefault, where + "='" + raw + "' is not true/false (1/0, yes/no, on/off); the "
                        + "feed is " + (byDefault ? "on" : "off") + " by default here");
        }
    }
}
