package dev.portolan.backend.sample;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.portolan.core.protocol.IdentityProof;

/** The sample's {@code /docs} HTML page (served only to authorized requests). */
final class DocsPage {

    private DocsPage() {
    }

    static String html(String mode, int port) {
        Map<String, String> eps = new LinkedHashMap<>();
        eps.put("GET /health", "status, protocol, pid, version, mode, port; the " + IdentityProof.PROOF_HEADER
                + " header answers a valid " + IdentityProof.CHALLENGE_HEADER + " (open, no authorization)");
        eps.put("POST /auth/ticket", "a one-time login link for a browser (bearer required)");
        eps.put("GET /auth/login?ticket=...", "redeems a ticket: session cookie, then 303 to /docs");
        eps.put("GET /docs", "this page");
        eps.put("GET /v1/echo?k=v", "echoes the query parameters");
        eps.put("POST /v1/echo", "echoes the JSON body");
        eps.put("GET /v1/items", "lists the items");
        eps.put("POST /v1/items", "adds {\"name\": ...}, answers 201 with the item");
        eps.put("GET|DELETE /v1/items/{id}", "one item");
        eps.put("GET /v1/time", "server time and uptime");
        List<String> rows = new ArrayList<>();
        eps.forEach((k, v) -> rows.add("<tr><td><code>" + k + "</code></td><td>" + v.replace("<", "&lt;")
                + "</td></tr>"));
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>Portolan sample backend</title></head>"
                + "<body><h1>Portolan sample backend " + SampleBackend.VERSION + "</h1><p>Mode: " + mode + ", port "
                + port + ".</p><table>" + String.join("", rows) + "</table></body></html>";
    }
}
