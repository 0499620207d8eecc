package dev.portolan.app.internal.cli;

import java.io.PrintStream;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.api.PortRange;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.ports.PortStatus;
import dev.portolan.core.json.Json;

/**
 * {@code ports [--range a-b] [--json]}: who holds each port of the range (the answer to the seed's
 * {@code lsof -i :8008-8020}). Read-only.
 */
final class PortsCommand implements Command {

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
            out.println(Json.MAPPER.writeValueAsString(toJson(range, statuses)));
        } else {
            out.printf("%-6s %-10s %-16s %-8s %s%n", "PORT", "STATE", "ADDRESS", "PID", "COMMAND");
            for (PortStatus s : statuses) {
                if (s.listeners().isEmpty()) {
                    out.printf("%-6d %s%n", s.port(), s.state().name().toLowerCase());
                }
                for (PortStatus.Listener l : s.listeners()) {
                    out.printf("%-6d %-10s %-16s %-8s %s%n", s.port(), "listening", l.address(),
                            l.pid() == null ? "?" : l.pid().toString(), l.command() == null ? "" : l.command());
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

    private static ObjectNode toJson(PortRange range, List<PortStatus> statuses) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("range", range.toString());
        ArrayNode ports = root.putArray("ports");
        for (PortStatus s : statuses) {
            ObjectNode p = ports.addObject();
            p.put("port", s.port());
            p.put("state", s.state().name().toLowerCase());
            ArrayNode ls = p.putArray("listeners");
            for (PortStatus.Listener l : s.listeners()) {
                ObjectNode o = ls.addObject();
                o.put("address", l.address());
                if (l.pid() != null) {
                    o.put("pid", l.pid());
                } else {
                    o.putNull("pid");
                }
                o.put("command", l.command());
            }
        }
        return root;
    }
}
