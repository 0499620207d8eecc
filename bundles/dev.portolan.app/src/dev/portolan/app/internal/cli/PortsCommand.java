package dev.portolan.app.internal.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.portolan.api.PortRange;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.ports.PortStatus;

/**
 * {@code ports [--range a-b] [--json]}: who holds each port of the range (the answer to the seed's
 * {@code lsof -i :8008-8020}). Read-only.
 * <p>
 * Its JSON is written with Jackson's streaming generator: nothing here needs the object mapper, whose first use
 * (databind's ~300 classes, its date format's locale data) would cost this command about a fifth of its run
 * (docs/performance.md).
 */
final class PortsCommand implements Command {

    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public String usage() {
        return "ports [--range FIRST-LAST] [--json]";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        boolean json = args.flag("--json");
        String rangeText = args.option("--range");
        args.noMore();
        PortRange range = range(rangeText);
        List<PortStatus> statuses = CliServices.get(PortInspector.class).inspect(range);
        if (json) {
            out.println(toJson(range, statuses));
        } else {
            out.printf("%-6s %-10s %-16s %-8s %s%n", "PORT", "STATE", "ADDRESS", "PID", "COMMAND");
            for (PortStatus s : statuses) {
                if (s.listeners().isEmpty()) {
                    out.printf("%-6d %s%n", s.port(), s.state().name().toLowerCase(Locale.ROOT));
                }
                for (PortStatus.Listener l : s.listeners()) {
                    out.printf("%-6d %-10s %-16s %-8s %s%n", s.port(), "listening", l.address(),
                            l.pid() == null ? "?" : l.pid().toString(),
                            l.command() == null ? "" : CommandColumn.of(l.command()));
                }
            }
        }
        return ExitCodes.OK;
    }

    /**
     * --range, else the effective settings' range (PORTOLAN_PORT_RANGE, parsed once by the SettingsService, whose
     * problems with a bad value are a usage error naming the variable and the value).
     */
    static PortRange range(String option) throws UsageException, CliServices.MissingServiceException,
            InterruptedException {
        if (option != null) {
            try {
                return PortRange.parse(option);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--range: " + e.getMessage());
            }
        }
        CliServices.requireValidEnvironment();
        return CliServices.get(SettingsService.class).effective().range();
    }

    private static String toJson(PortRange range, List<PortStatus> statuses) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(text)) {
            g.writeStartObject();
            g.writeStringField("range", range.toString());
            g.writeArrayFieldStart("ports");
            for (PortStatus s : statuses) {
                g.writeStartObject();
                g.writeNumberField("port", s.port());
                g.writeStringField("state", s.state().name().toLowerCase(Locale.ROOT));
                g.writeArrayFieldStart("listeners");
                for (PortStatus.Listener l : s.listeners()) {
                    g.writeStartObject();
                    g.writeStringField("address", l.address());
                    if (l.pid() != null) {
                        g.writeNumberField("pid", l.pid().longValue());
                    } else {
                        g.writeNullField("pid");
                    }
                    g.writeStringField("command", l.command());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return text.toString();
    }
}
