package dev.portolan.api.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import dev.portolan.api.RunningApplication;

class RunningApplicationTest {

    @Test
    void theCommandLinesApplicationWinsOverTheConfiguredOne() {
        assertEquals("dev.portolan.app.cli", RunningApplication.id(
                "-configuration\n/tmp/x\n-application\ndev.portolan.app.cli\nwatch", RunningApplication.PRODUCT));
        assertEquals(RunningApplication.PRODUCT, RunningApplication.id("-consoleLog\n-data\n/x",
                RunningApplication.PRODUCT));
        assertEquals(RunningApplication.PRODUCT, RunningApplication.id(null, RunningApplication.PRODUCT));
        assertEquals("other", RunningApplication.id("-APPLICATION\r\n other \r\n", null), "any case, any line end");
        assertNull(RunningApplication.id("-application", null), "a last -application names nothing");
    }

    @Test
    void theTestRuntimeIsNotTheProduct() {
        assertFalse(RunningApplication.isProduct());
    }
}
