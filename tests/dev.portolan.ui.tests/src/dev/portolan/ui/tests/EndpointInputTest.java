package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.portolan.api.Endpoint;
import dev.portolan.ui.internal.override.EndpointInput;

/** What the Override endpoint… dialog accepts: a port or a loopback http URL, nothing else. */
class EndpointInputTest {

    @ParameterizedTest
    @CsvSource({ "23001, http://127.0.0.1:23001, 23001", "' 1 ', http://127.0.0.1:1, 1",
            "65535, http://127.0.0.1:65535, 65535", "http://127.0.0.1:23002, http://127.0.0.1:23002, 23002",
            "http://127.0.0.1:23003/, http://127.0.0.1:23003, 23003", "HTTP://127.0.0.1:23004, http://127.0.0.1:23004, 23004",
            "'http://[::1]:23005', 'http://[::1]:23005', 23005" })
    void acceptsPortsAndLoopbackUrls(String input, String baseUrl, int port) {
        Endpoint e = EndpointInput.parse(input);
        assertEquals(baseUrl, e.baseUrl().toString());
        assertEquals(port, e.port());
        assertEquals(baseUrl + "/health", e.healthUrl().toString());
        assertEquals(baseUrl + "/docs", e.docsUrl().toString());
        assertEquals(EndpointInput.SOURCE, e.source());
        assertFalse(e.verified(), "a typed endpoint is not identity-verified");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "   ", "0", "65536", "99999999999", "-1", "80a", "localhost:8009",
            "http://localhost:8009", "http://0.0.0.0:8009", "http://192.168.1.2:8009", "http://example.com:8009",
            "https://127.0.0.1:8009", "ftp://127.0.0.1:21", "http://127.0.0.1", "http://127.0.0.1:0",
            "http://127.0.0.1:70000", "http://127.0.0.1:8009/api", "http://127.0.0.1:8009/?x=1",
            "http://user@127.0.0.1:8009", "http://[::]:8009", "http://127.0.0.2:8009", "not a url at all" })
    void rejectsEverythingElseWithAMessageQuotingTheInput(String input) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EndpointInput.parse(input));
        assertFalse(e.getMessage().isBlank());
        if (!input.isBlank()) {
            assertTrue(e.getMessage().contains(input.strip()), e.getMessage());
        }
        assertEquals(e.getMessage(), EndpointInput.validate(input));
    }

    @Test
    void explainsWhyLocalhostIsRejected() {
        String m = EndpointInput.validate("http://localhost:8009");
        assertTrue(m.contains("not a loopback address") && m.contains("127.0.0.1"), m);
    }
}
