package dev.portolan.api.ports;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * A process's command line shortened for a table cell or column, so that it says which program runs: {@code java …
 * dev.portolan.backend.sample.SampleBackend}, {@code python3 …/main.py --port 8009}. The program is named by its file
 * name; a JVM's options and its class or module path are left out (they make a Java command line thousands of
 * characters long and all of them look alike in their first hundred); a long path keeps only its file name. One
 * {@code ellipsis} stands for what was left out in a row. A command line of at most {@value #KEEP_WHOLE} characters
 * stays whole. The text comes from another process: control characters (line breaks, escape sequences' ESC) become
 * spaces, so the result stays on one line and cannot write to a terminal; words are split at white space. The length
 * is not bounded here (a text table cuts what it shows).
 *
 * @since 0.1.4
 */
public final class CommandLines {

    /** Command lines up to this long are shown whole. */
    public static final int KEEP_WHOLE = 60;
    /** A path argument longer than this keeps only its file name. */
    static final int LONG_PATH = 30;
    /** JVM options whose value is the next word. */
    private static final Set<String> JVM_OPTIONS_WITH_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p",
            "--module-path", "--upgrade-module-path", "--add-modules", "--add-opens", "--add-exports", "--add-reads",
            "--patch-module", "--limit-modules", "--enable-native-access");

    private CommandLines() {
    }

    /**
     * {@code commandLine} shortened as the class says; {@code null} gives {@code "null"}.
     *
     * @param ellipsis what stands for left-out words: {@code "…"} in the UI, {@code "..."} on a terminal
     */
    public static String shorten(@Nullable String commandLine, String ellipsis) {
        if (commandLine == null) {
            return "null";
        }
        StringBuilder safe = new StringBuilder(commandLine.length());
        for (int c = 0; c < commandLine.length(); c++) {
            char ch = commandLine.charAt(c);
            safe.append(Character.isISOControl(ch) ? ' ' : ch);
        }
        String stripped = safe.toString().strip();
        if (stripped.length() <= KEEP_WHOLE) {
            return stripped;
        }
        String[] words = stripped.split("\\s+");
        String program = fileName(words[0]);
        List<String> kept = new ArrayList<>();
        kept.add(program);
        int i = 1;
        if (program.equals("java") || program.equals("java.exe") || program.equals("javaw.exe")) {
            boolean left = false;
            while (i < words.length && words[i].startsWith("-") && !words[i].equals("-jar") && !words[i].equals("-m")
                    && !words[i].equals("--module")) {
                i += JVM_OPTIONS_WITH_VALUE.contains(words[i]) ? 2 : 1;
                left = true;
            }
            if (left) {
                kept.add(ellipsis);
            }
        }
        for (; i < words.length; i++) {
            String w = words[i];
            boolean longPath = w.length() > LONG_PATH && !w.contains("://")
                    && (w.indexOf('/') >= 0 || w.indexOf('\\') >= 0);
            if (longPath) {
                kept.add(ellipsis + (w.indexOf('/') < 0 ? "\\" : "/") + fileName(w));
            } else {
                kept.add(w);
            }
        }
        return String.join(" ", kept);
    }

    /** The last segment of a path ({@code /} or {@code \}); a path that ends with a separator keeps that segment. */
    private static String fileName(String path) {
        String p = path;
        while (p.length() > 1 && (p.endsWith("/") || p.endsWith("\\"))) {
            p = p.substring(0, p.length() - 1);
        }
        int cut = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
        return cut < 0 || cut == p.length() - 1 ? p : p.substring(cut + 1);
    }
}
