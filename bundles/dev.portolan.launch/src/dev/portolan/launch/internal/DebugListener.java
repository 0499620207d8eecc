package dev.portolan.launch.internal;

import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;

/**
 * With {@code DEBUG_PORT_DISCOVERY=true}: every launcher event as one plain stderr line ({@code [portolan launch]
 * ...}), then the real listener.
 */
final class DebugListener implements SidecarListener {

    private final SidecarListener next;

    DebugListener(SidecarListener next) {
        this.next = next;
    }

    private static void debug(LaunchHandle h, String text) {
        String id = h instanceof Sidecar s ? s.id() : "sidecar";
        System.err.println("[portolan launch] " + id + " " + text);
    }

    @Override
    public void stateChanged(LaunchHandle handle, SidecarState oldState, SidecarState newState) {
        debug(handle, "state " + oldState + " -> " + newState + " pid " + handle.pid());
        next.stateChanged(handle, oldState, newState);
    }

    @Override
    public void announced(LaunchHandle handle, SidecarAnnouncement a) {
        debug(handle, "announced " + a.announcement().url() + " pid " + a.pid() + " verified " + a.verified()
                + " restart " + a.restartCount());
        next.announced(handle, a);
    }

    @Override
    public void output(LaunchHandle handle, OutputLine line) {
        next.output(handle, line);
    }

    @Override
    public void exited(LaunchHandle handle, int exitCode, boolean expected, boolean restarting) {
        debug(handle, "exited with code " + exitCode + (expected ? " (requested)" : " (unexpected)")
                + (restarting ? ", restarting" : ""));
        next.exited(handle, exitCode, expected, restarting);
    }

    @Override
    public void diagnostic(LaunchHandle handle, String message) {
        debug(handle, message);
        next.diagnostic(handle, message);
    }
}
