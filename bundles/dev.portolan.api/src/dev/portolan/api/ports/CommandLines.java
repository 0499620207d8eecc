package dev.portolan.api.ports;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A process's command line shortened for a table cell or column, so that it says which program runs: {@code java …
 * dev.portolan.backend.sample.SampleBackend}, {@code python3 …/main.py --port 8009}. The program is named by its file
 * name; a JVM's options and its class or module path are left out (they make a Java command line thousands of
 * characters long and all of them look alike in their first hundred); a long path keeps only its file name. One
 * {@code ellipsis} stands for what was left out in a row. A command line of at most {@value #KEEP_WHOLE} characters
 * stays whole. The text comes from another process: control characters (line breaks, escape sequences' ESC) become
 * spaces, so the result stays on one line and cannot write to a terminal. A command line known as its arguments
 * ({@link #shortenArguments(List, String)}: a registry entry's, a launch command) keeps each argument one word,
 * quoted as a POSIX shell would when it holds white space (a JVM option {@code -Dformat=%1$s %2$s} does); one known
 * only as text ({@link #shorten(String, String)}: the OS's) is split at white space, and words after a JVM option
 * that cannot be a main class or a source file are taken for the rest of its value. The length is not bounded here (a
 * text table cuts what it shows).
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

    /** A Java class's binary name. */
    private static final Pattern MAIN_CLASS = Pattern.compile(
            "\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*(?:\\.\\p{javaJavaIdentifierStart}"
                    + "\\p{javaJavaIdentifierPart}*)*");

    private CommandLines() {
    }

    /**
     * {@code commandLine}, known only as text (another process's, from the OS), shortened as the class says: words are
     * split at white space; {@code null} gives {@code "null"}.
     *
     * @param ellipsis what stands for left-out words: {@code "…"} in the UI, {@code "..."} on a terminal
     */
    public static String shorten(@Nullable String commandLine, String ellipsis) {
        if (commandLine == null) {
            return "null";
        }
        String stripped = oneLine(commandLine).strip();
        if (stripped.length() <= KEEP_WHOLE) {
            return stripped;
        }
        return shortened(List.of(stripped.split("\\s+")), true, ellipsis);
    }

    /**
     * The command line of {@code arguments} (the program first, each argument as the process got it) shortened as the
     * class says: an argument stays one word, single-quoted when it holds white space or is empty, so that
     * {@code java -Dformat='%1$s %2$s' -jar app.jar} does not read as a main class {@code %2$s}.
     *
     * @param ellipsis what stands for left-out words: {@code "…"} in the UI, {@code "..."} on a terminal
     * @since 0.1.6
     */
    public static String shortenArguments(List<String> arguments, String ellipsis) {
        List<String> args = arguments.stream().map(CommandLines::oneLine).toList();
        String whole = String.join(" ", args.stream().map(CommandLines::quoted).toList()).strip();
        if (whole.length() <= KEEP_WHOLE || args.isEmpty()) {
            return whole;
        }
        return shortened(args, false, ellipsis);
    }

    /**
     * {@code words} (at least one; the program first) as the class shortens them, each quoted when it must be.
     *
     * @param fromText the words were split from text at white space: a JVM option's value that held blanks came apart,
     *        so the words after an option that cannot start the program's part ({@link #mayFollowJvmOptions}) are the
     *        option's too
     */
    private static String shortened(List<String> words, boolean fromText, String ellipsis) {
        String program = fileName(words.get(0));
        List<String> kept = new ArrayList<>();
        kept.add(quoted(program));
        int i = 1;
        if (program.equals("java") || program.equals("java.exe") || program.equals("javaw.exe")) {
            boolean left = false;
            while (i < words.size() && words.get(i).startsWith("-") && !words.get(i).equals("-jar")
                    && !words.get(i).equals("-m") && !words.get(i).equals("--module")) {
                i += JVM_OPTIONS_WITH_VALUE.contains(words.get(i)) ? 2 : 1;
                left = true;
                while (fromText && i < words.size() && !words.get(i).startsWith("-")
                        && !mayFollowJvmOptions(words.get(i))) {
                    i++;
                }
            }
            if (left) {
                kept.add(ellipsis);
            }
        }
        for (; i < words.size(); i++) {
            String w = words.get(i);
            boolean longPath = w.length() > LONG_PATH && !w.contains("://")
                    && (w.indexOf('/') >= 0 || w.indexOf('\\') >= 0);
            if (longPath) {
                kept.add(ellipsis + (w.indexOf('/') < 0 ? "\\" : "/") + quoted(fileName(w)));
            } else {
                kept.add(quoted(w));
            }
        }
        return String.join(" ", kept);
    }

    /**
     * Whether {@code word} can be what follows a JVM's options: a main class ({@code dev.example.Main}) or a source
     * file ({@code Main.java}); {@code %4$s:} of a log format's value cannot.
     */
    private static boolean mayFollowJvmOptions(String word) {
        return MAIN_CLASS.matcher(word).matches() || word.endsWith(".java");
    }

    /** {@code text} with each control character (line breaks, ESC) a space. */
    private static String oneLine(String text) {
        StringBuilder safe = new StringBuilder(text.length());
        for (int c = 0; c < text.length(); c++) {
            char ch = text.charAt(c);
            safe.append(Character.isISOControl(ch) ? ' ' : ch);
        }
        return safe.toString();
    }

    /**
     * {@code word}, single-quoted as a POSIX shell writes it (a {@code '} in it as {@code '\''}) when it holds white
     * space or is empty, so that it reads as one word; else as it is.
     */
    private static String quoted(String word) {
        if (!word.isEmpty() && word.chars().noneMatch(Character::isWhitespace)) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
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
