package dev.portolan.app.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;

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
                    + endpoint(m.path("endpoint")) + " sidecars=" + m.path("sidecars").size();
            case "endpoint" -> head + "endpoint " + endpoint(m.path("endpoint"));
            case "sidecar" -> head + "sidecar " + m.path("sidecar").path("id").asText() + " " + sidecar(m);
            default -> head + m.path("type").asText() + " " + m;
        };
    }

    private static String endpoint(JsonNode e) {
        if (e.isMissingNode() || e.isNull()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder(e.path("state").asText());
        if (e.has("url")) {
            sb.append(' ').append(e.path("url").asText()).append(" source=").append(e.path("source").asText())
                    .append(" verification=").append(e.path("verification").asText());
        }
        if (e.has("message") && !e.has("url")) {
            sb.append(" (").append(e.path("message").asText()).append(')');
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
