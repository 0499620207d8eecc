package dev.portolan.backend.tests;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.tests.common.ChildProcess;

/** Protocol v2 of the Java sample backend as a child JVM (band 20430-20469). */
class SampleBackendV2Test extends ProtocolV2Contract {

    @Override
    ChildProcess launch(Map<String, String> env, String range) throws IOException {
        Map<String, String> e = new HashMap<>(env);
        e.put("PORTOLAN_PORT_RANGE", range);
        return ChildProcess.start(null, SampleBackend.command(), e);
    }

    @Override
    String range() {
        return "20430-20469";
    }
}
