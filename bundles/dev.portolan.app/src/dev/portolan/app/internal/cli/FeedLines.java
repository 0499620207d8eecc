package dev.portolan.app.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.core.json.JsonText;

/** One human-readable line per feed message ({@code ./portolan watch} without {@code --json}). */
final class FeedLines {

    private FeedLines() {
    }

    static String describe(JsonNode m) {
        if (!m.isObject()) {
            return "? " + m.asText();
        }
        String head = "#" + m.path("seq").asLong() + " ";
        return switch (m.path("type").asText()) {
            case "snapshot" -> head + "snapshot epoch=" + m.path("epoch").asText() + " endpoint="
                    + endpoint(m.path("endpoint")) + " sidecars=" + m.path("sidecars").size()
                    + (m.has("instances") ? " instances=" + m.path("instances").size() : "");
            case "endpoint" -> head + "endpoint " + endpoint(m.path("endpoint"));
            case "instances" -> head + "instances " + instances(m.path("instances"));
            case "sidecar" -> head + "sidecar " + m.path("sidecar").path("id").asText() + " " + sidecar(m);
            default -> head + m.path("type").asText() + " " + JsonText.write(m);
        };
    }

    private static String endpoint(JsonNode e) {
        if (e.isMissingNode() || e.isNull()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder(e.path("state").asText());
        if (e.has("instance")) {
            sb.append(" instance=").append(e.path("service").asText()).append('/').append(e.path("instance").asText());
        }
        if (e.has("url")) {
            sb.append(' ').append(e.path("url").asText()).append(" source=").append(e.path("source").asText())
                    .append(" verification=").append(e.path("verification").asText());
        }
        if (e.has("message") && !e.has("url")) {
            sb.append(" (").append(e.path("message").asText()).append(')');
        }
        return sb.toString();
    }

    /**
     * The instance set as its line shows it, without what every health check changes ({@code latency_ms},
     * {@code last_check}): the feed sends the set at each check, and a line per check would bury the changes.
     */
    static String shape(JsonNode instances) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode i : instances) {
            for (java.util.Map.Entry<String, JsonNode> f : i.properties()) {
                if (!f.getKey().equals("latency_ms") && !f.getKey().equals("last_check")) {
                    sb.append(f.getKey()).append('=').append(f.getValue()).append(' ');
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** {@code service/instance state url latency}, comma-separated; {@code none} for an empty set. */
    private static String instances(JsonNode list) {
        if (list.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode i : list) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(i.path("service").asText()).append('/').append(i.path("instance").asText()).append(' ')
                    .append(i.path("state").asText()).append(' ').append(i.path("url").asText());
            if (i.has("latency_ms")) {
                sb.append(String.format(java.util.Locale.ROOT, " %.1f ms", i.path("latency_ms").asDouble()));
            }
        }
        return sb.toString();
    }

    private static String sidecar(JsonNode m) {
        JsonNode s = m.path("sidecar");
        return switch (m.path("event").asText()) {
            case "state" -> "state " + (m.hasNonNull("old_state") ? m.path("old_state").asText() + " -> " : "")
                    + s.path("state").asText() + (s.has("pid") ? " pid=" + s.path("pid").asLong() : "");
            case "announced" -> "announced " + m.path("url").asText() + " verification="
                    + m.path("verification").asText();
            case "exited" -> "exited code=" + m.path("exit_code").asInt() + (m.path("restarting").asBoolean()
                    ? " (restarting)" : "");
            case "diagnostic" -> "diagnostic: " + m.path("message").asText();
            default -> m.path("event").asText();
        };
    }
}
