package dev.portolan.ui.tests;

import java.time.Duration;
import java.util.List;

import org.eclipse.core.commands.Command;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.commands.ICommandService;
import org.eclipse.ui.handlers.IHandlerService;
import org.eclipse.ui.services.ISourceProviderService;

import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.handlers.BackendStateSource;

/** The Portolan commands as the workbench sees them: enablement evaluated now, execution once enabled. */
final class Commands {

    /** Every command of dev.portolan.ui. */
    static final List<String> ALL = List.of(PortolanUi.COMMAND_REFRESH, PortolanUi.COMMAND_START,
            PortolanUi.COMMAND_STOP, PortolanUi.COMMAND_RESTART, PortolanUi.COMMAND_OVERRIDE,
            PortolanUi.COMMAND_CLEAR_OVERRIDE, PortolanUi.COMMAND_CLEAR_CACHE, PortolanUi.COMMAND_OPEN_DOCS,
            PortolanUi.COMMAND_SHOW_STATUS, PortolanUi.COMMAND_COPY_DIAGNOSTICS);

    private Commands() {
    }

    /** Evaluates the handler's enablement (its enabledWhen) against the workbench's current state. */
    static boolean enabled(String id) {
        Command c = PlatformUI.getWorkbench().getService(ICommandService.class).getCommand(id);
        c.setEnabled(PlatformUI.getWorkbench().getService(IHandlerService.class).getCurrentState());
        return c.isEnabled();
    }

    /** Spins the event loop until the command is (or is not) enabled. */
    static void awaitEnabled(String id, boolean enabled, Duration timeout) {
        Ui.until(id + (enabled ? " enabled" : " disabled"), timeout, () -> enabled(id) == enabled, Commands::states);
    }

    /** Waits until the command is enabled, then runs it as a menu item would. */
    static void execute(String id, Duration timeout) throws Exception {
        awaitEnabled(id, true, timeout);
        PlatformUI.getWorkbench().getService(IHandlerService.class).executeCommand(id, null);
    }

    /** The enablement of every command and the state variables, for failure messages. */
    static String states() {
        StringBuilder s = new StringBuilder();
        for (String id : ALL) {
            s.append(id.substring(id.lastIndexOf('.') + 1)).append('=').append(enabled(id)).append(' ');
        }
        var provider = PlatformUI.getWorkbench().getService(ISourceProviderService.class)
                .getSourceProvider(BackendStateSource.BACKEND_STATE);
        s.append(provider == null ? "no BackendStateSource" : provider.getCurrentState());
        return s.toString().strip();
    }
}
