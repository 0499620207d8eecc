package dev.portolan.app.internal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.PortolanCli;

/**
 * The command-line interface is described in three places besides the code: each command's own usage line (printed
 * with a usage error), {@code ./portolan help}, and the README's table of commands. Every option a command accepts
 * appears in all three, and neither text offers an option the command does not have.
 */
class HelpAgreesWithCommandsTest {

    private static final Pattern OPTION = Pattern.compile("--[a-z][a-z-]*");
    /** Where {@code ./portolan help} puts a command's description; its synopsis lines are indented less. */
    private static final int DESCRIPTION_COLUMN = 22;

    /** Command name → its usage line, as the CLI prints them when no command is given. */
    private static final Map<String, String> USAGES = new LinkedHashMap<>();
    private static List<String> help;

    @BeforeAll
    static void read() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
                PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
            assertEquals(ExitCodes.USAGE, Cli.execute(List.of(), o, e));
        }
        for (String line : err.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("usage: portolan ")) {
                String usage = line.substring("usage: portolan ".length());
                USAGES.put(usage.split(" ", 2)[0], usage);
            }
        }
        assertEquals(List.of("discover", "ports", "list", "run", "watch", "metrics"), List.copyOf(USAGES.keySet()),
                err.toString(StandardCharsets.UTF_8));
        PortolanCli.Result r = PortolanCli.run(Map.of(), Duration.ofSeconds(30), "help");
        assertEquals(0, r.exitCode(), r.output());
        help = r.lines();
    }

    private static Set<String> options(String text) {
        Set<String> all = new TreeSet<>();
        Matcher m = OPTION.matcher(text);
        while (m.find()) {
            all.add(m.group());
        }
        return all;
    }

    /** The lines of {@code ./portolan help} about {@code command}: its synopsis, then its description. */
    private static List<String> helpBlock(String command) {
        List<String> block = new ArrayList<>();
        for (String line : help) {
            boolean starts = line.startsWith("  " + command + " ") || line.equals("  " + command);
            if (block.isEmpty() ? starts : line.startsWith("   ")) {
                block.add(line);
            } else if (!block.isEmpty()) {
                break;
            }
        }
        assertFalse(block.isEmpty(), "./portolan help has no entry for '" + command + "':\n" + String.join("\n", help));
        return block;
    }

    @Test
    void helpShowsEveryOptionOfEveryCommandAndNoOther() {
        for (Map.Entry<String, String> c : USAGES.entrySet()) {
            List<String> block = helpBlock(c.getKey());
            Set<String> synopsis = new TreeSet<>();
            block.stream().filter(l -> l.length() - l.stripLeading().length() < DESCRIPTION_COLUMN)
                    .forEach(l -> synopsis.addAll(options(l.strip().split(" {2,}", 2)[0])));
            assertEquals(options(c.getValue()), synopsis, c.getKey() + ": the command's usage '" + c.getValue()
                    + "' against ./portolan help:\n" + String.join("\n", block));
        }
    }

    @Test
    void readmeTableShowsEveryOptionOfEveryCommandAndNoOther() throws Exception {
        List<String> readme = Files.readAllLines(Build.repoRoot().resolve("README.md"), StandardCharsets.UTF_8);
        for (Map.Entry<String, String> c : USAGES.entrySet()) {
            String row = readme.stream().filter(l -> l.startsWith("| `./portolan " + c.getKey() + " ")
                    || l.startsWith("| `./portolan " + c.getKey() + "`")).findFirst().orElse(null);
            assertTrue(row != null, "README.md has no row for ./portolan " + c.getKey());
            String synopsis = row.split("\\|")[1];
            assertEquals(options(c.getValue()), options(synopsis), c.getKey() + ": the command's usage '"
                    + c.getValue() + "' against README.md's " + synopsis.strip());
        }
    }
}
