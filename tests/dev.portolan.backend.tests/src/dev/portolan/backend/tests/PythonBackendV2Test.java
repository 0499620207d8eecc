package dev.portolan.backend.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;

/** Protocol v2 of the Python FastAPI example under Debian's /usr/bin/python3 (band 20770-20799). */
class PythonBackendV2Test extends ProtocolV2Contract {

    private Path lockDir;

    @Override
    ChildProcess launch(Map<String, String> env, String range) throws IOException {
        if (lockDir == null) {
            lockDir = Files.createTempDirectory("portolan-v2-locks");
        }
        Path main = Build.repoRoot().resolve("examples/python-fastapi/main.py");
        Map<String, String> e = new HashMap<>(env);
        e.put("PORTOLAN_PORT_RANGE", range);
        e.put("PYTHONUNBUFFERED", "1");
        e.put("PORTOLAN_LOCK_DIR", lockDir.toString());
        return ChildProcess.start(null, List.of("/usr/bin/python3", main.toString()), e);
    }

    @Override
    String range() {
        return "20770-20799";
    }

    @Override
    @AfterAll
    void stop() {
        super.stop();
        if (lockDir != null) {
            try (var files = Files.list(lockDir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(lockDir);
            } catch (IOException e) {
                // a temporary directory: left to the system's cleanup
            }
        }
    }

    @Test
    @Order(8)
    void theOpenApiDocumentNeedsTheSessionToo() throws Exception {
        assertEquals(401, get("/openapi.json", Map.of()).statusCode());
        var issued = request("POST", "/auth/ticket", bearer(), null);
        JsonNode t = Backends.json(issued);
        var login = get("/auth/login?ticket=" + t.get("ticket").asText(), Map.of());
        assertEquals(303, login.statusCode(), login.body());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        var doc = get("/openapi.json", Map.of("Cookie", cookie));
        assertEquals(200, doc.statusCode(), doc.body());
        assertTrue(doc.body().contains("/auth/ticket"), doc.body());
        assertEquals(200, get("/docs", Map.of("Cookie", cookie)).statusCode());
    }
}
