package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.ui.console.ConsolePlugin;
import org.eclipse.ui.console.IConsole;
import org.eclipse.ui.console.TextConsole;
import org.junit.jupiter.api.Test;

import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.console.ConsoleSink;

/**
 * A sidecar's console made after the sidecar started (the product's backend starts before the workbench and its status
 * model) begins with the output the launcher kept: seen in the product, whose console showed no line of its sidecar.
 * Port band 23160-23169.
 */
class ConsoleCatchUpTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern PORT_INFO = Pattern.compile("\"type\"\\s*:\\s*\"port_info\"");

    @Test
    void aLateConsoleStartsWithTheLinesTheLauncherKeptAndWritesEachLineOnce() throws Exception {
        SidecarLauncher launcher = OsgiServices.await(ConsoleCatchUpTest.class, SidecarLauncher.class, TIMEOUT);
        LaunchHandle sidecar = launcher.launch(LaunchSpec.builder(SampleBackend.command())
                .env("PORTOLAN_PORT_RANGE", "23160-23169").restartPolicy(RestartPolicy.NEVER).build());
        ConsoleSink sink = ConsoleSink.create();
        try {
            Await.result(sidecar.announcement(), TIMEOUT, "the sidecar's announcement");
            OutputLine announcement = sidecar.output().stream().filter(l -> PORT_INFO.matcher(l.text()).find())
                    .findFirst().orElseThrow();
            // the workbench's status model hears of every sidecar: its console for this one is not the one tested
            TextConsole models = consoleOf(sidecar, null);
            Ui.until("the status model's console shows the announcement", TIMEOUT,
                    () -> count(models.getDocument().get()) == 1, () -> models.getDocument().get());
            // the sink hears of the sidecar only now: its announcement line was read before
            sink.show(sidecar);
            TextConsole console = consoleOf(sidecar, models);
            Ui.until("the announcement in the late console", TIMEOUT,
                    () -> count(console.getDocument().get()) == 1, () -> console.getDocument().get());
            // the listener's own delivery of a line the console already shows does not write it again
            sink.append(sidecar, announcement);
            sink.stateChanged(sidecar, SidecarState.RUNNING);
            Ui.until("the state line after it", TIMEOUT,
                    () -> console.getDocument().get().contains("[portolan] sidecar RUNNING"),
                    () -> console.getDocument().get());
            String text = console.getDocument().get();
            assertEquals(1, count(text), text);
            assertTrue(text.indexOf(announcement.text()) < text.indexOf("[portolan] sidecar RUNNING"), text);
        } finally {
            sink.dispose();
            Await.result(sidecar.stop(), TIMEOUT, "the sidecar's stop");
        }
    }

    private static int count(String text) {
        Matcher m = PORT_INFO.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** The (first) console named after the sidecar's pid other than {@code except} (null: any). */
    private static TextConsole consoleOf(LaunchHandle sidecar, IConsole except) {
        String pid = "[pid " + sidecar.pid().getAsLong() + "]";
        Ui.until("a console named after pid " + pid, TIMEOUT, () -> find(pid, except).isPresent(),
                () -> Arrays.stream(consoles()).map(IConsole::getName).toList().toString());
        return (TextConsole) find(pid, except).orElseThrow();
    }

    private static Optional<IConsole> find(String pid, IConsole except) {
        return Arrays.stream(consoles()).filter(c -> c != except && c.getName().contains(pid)).findFirst();
    }

    private static IConsole[] consoles() {
        return Arrays.stream(ConsolePlugin.getDefault().getConsoleManager().getConsoles())
                .filter(c -> PortolanUi.CONSOLE_TYPE.equals(c.getType())).toArray(IConsole[]::new);
    }
}
