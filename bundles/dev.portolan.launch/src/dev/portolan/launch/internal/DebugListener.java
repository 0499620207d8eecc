package dev.portolan.launch.internal;

import java.util.function.BooleanSupplier;

import dev.portolan.api.DebugLine;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;

/**
 * While debug is on ({@code DEBUG_PORT_DISCOVERY=true}, or the front end's {@code debug} setting): every launcher
 * event as one plain stderr line ({@code [portolan launch] ...}); then, always, the real listener.
 */
final class DebugListener implements SidecarListener {

    private final SidecarListener next;
    private final BooleanSupplier enabled;

    DebugListener(SidecarListener next, BooleanSupplier enabled) {
        this.next = next;
        this.enabled = enabled;
    }

    private void debug(LaunchHandle h, String text) {
        if (enabled.getAsBoolean()) {
            String id = h instanceof Sidecar s ? s.id() : "sidecar";
            DebugLine.print("launch", id + " " + text);
        }
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
