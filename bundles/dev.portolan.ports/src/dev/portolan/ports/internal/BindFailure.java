package dev.portolan.ports.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetAddress;
import java.util.Locale;
import java.util.function.ObjIntConsumer;
import java.util.function.Supplier;

/**
 * Why a port of a scan did not bind, as the reason of a {@link PortAttempt.Refused}. The text is built lazily
 * ({@link #get()}): busy ports are the hot path of a scan. Permission errors (reserved ranges) are logged at INFO.
 */
final class BindFailure implements Supplier<String> {


    private final IOException error;
    private final InetAddress address;
    private final String text;

    /** @param debug receives {@code (why, port)} when the scan prints its probes */
    BindFailure(InetAddress address, boolean dbg, ObjIntConsumer<String> debug, int port, IOException error) {
        this.error = error;
        this.address = address;
        boolean permission = isPermissionError(error);
        if (permission || dbg) {
            String why = describe(error);
            if (permission) {
                PortsLog.get().log(Level.INFO, "skipping port " + port + " on " + address.getHostAddress() + ": " + why);
            }
            debug.accept(why, port);
            this.text = why + " on " + address.getHostAddress();
        } else {
            this.text = null;
        }
    }

    @Override
    public String get() {
        return text != null ? text : describe(error) + " on " + address.getHostAddress();
    }

    static boolean isPermissionError(IOException e) {
        String lower = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return lower.contains("permission denied") || lower.contains("access") && lower.contains("denied")
                || lower.contains("forbidden");
    }

    /** {@code busy (…)}, {@code not permitted (…)} or {@code not bindable (…)}. */
    static String describe(IOException e) {
        String msg = String.valueOf(e.getMessage());
        if (isPermissionError(e)) {
            return "not permitted (" + msg + ")";
        }
        if (e instanceof BindException) {
            return "busy (" + msg + ")";
        }
        return "not bindable (" + e + ")";
    }
}
