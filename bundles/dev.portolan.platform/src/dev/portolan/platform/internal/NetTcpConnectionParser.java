package dev.portolan.platform.internal;

import java.util.ArrayList;
import java.util.List;

import dev.portolan.platform.ListeningSocket;

/**
 * Parses the CSV that {@link #SCRIPT} prints: PowerShell's {@code Get-NetTCPConnection -State Listen} (module
 * NetTCPIP, Windows 8 / Server 2012 and later) piped through {@code ConvertTo-Csv -NoTypeInformation}. The columns
 * are found by their (never localized) property names in the header row, in any order; values may be quoted
 * (Windows PowerShell 5.1 and PowerShell 7 quote all of them) or not.
 */
public final class NetTcpConnectionParser {

    /** The PowerShell command whose output this parses. */
    public static final String SCRIPT = "Get-NetTCPConnection -State Listen | "
            + "Select-Object LocalAddress,LocalPort,OwningProcess | ConvertTo-Csv -NoTypeInformation";

    private NetTcpConnectionParser() {
    }

    /** The listening sockets in {@code csv}; rows that cannot be read are added to {@code skipped}. */
    public static List<ListeningSocket> parse(String csv, List<String> skipped) {
        List<ListeningSocket> out = new ArrayList<>();
        int address = -1;
        int port = -1;
        int pid = -1;
        for (String line : csv.split("\r?\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue; // "#TYPE ..." when -NoTypeInformation was not honoured
            }
            List<String> cells = cells(line);
            if (address < 0) {
                address = cells.indexOf("LocalAddress");
                port = cells.indexOf("LocalPort");
                pid = cells.indexOf("OwningProcess");
                if (address < 0 || port < 0 || pid < 0) {
                    skipped.add(line); // not the header: keep looking for it
                    address = -1;
                }
                continue;
            }
            int max = Math.max(address, Math.max(port, pid));
            try {
                if (cells.size() <= max) {
                    throw new NumberFormatException("too few columns");
                }
                int p = Integer.parseInt(cells.get(port));
                long owner = Long.parseLong(cells.get(pid));
                if (p < 0 || p > 65535 || owner < 0) {
                    throw new NumberFormatException("out of range");
                }
                out.add(new ListeningSocket(cells.get(address), p, owner == 0 ? null : owner, null));
            } catch (NumberFormatException e) {
                skipped.add(line);
            }
        }
        return out;
    }

    /** One CSV row: comma-separated, cells optionally in double quotes with {@code ""} as an escaped quote. */
    static List<String> cells(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString().strip());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString().strip());
        return cells;
    }
}
