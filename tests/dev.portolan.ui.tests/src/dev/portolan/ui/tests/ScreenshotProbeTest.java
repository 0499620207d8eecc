package dev.portolan.ui.tests;

import java.nio.file.Path;

import org.eclipse.ui.PlatformUI;
import org.junit.jupiter.api.Test;

import dev.portolan.tests.common.Build;

class ScreenshotProbeTest {
    @Test
    void probe() throws Exception {
        Ui.showStatusView();
        Ui.screenshot(PlatformUI.getWorkbench().getActiveWorkbenchWindow().getShell(),
                Build.repoRoot().resolve("tests/dev.portolan.ui.tests/target/probe.png"));
    }
}
