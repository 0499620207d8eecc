package dev.portolan.api.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portolan.api.ports.CommandLines;

/**
 * Command lines as {@code ports}, {@code list}, {@code discover} and the view show them: which program runs, in a few
 * words, on one line.
 */
class CommandLinesTest {

    private static final String CLASS_PATH = "/work/main/releng/dev.portolan.product/target/products/plugins/"
            + "dev.portolan.backend_0.1.1.202612040353.jar:/work/main/releng/dev.portolan.product/target/products/"
            + "plugins/com.fasterxml.jackson.core.jackson-databind_2.23.0.jar";

    @Test
    void aJavaCommandIsTheProgramAndItsMainClassWithoutOptionsOrClassPath() {
        String sample = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java -XX:+AutoCreateSharedArchive "
                + "-XX:SharedArchiveFile=/tmp/x/app-25.jsa -Dportolan.sample=1 -cp " + CLASS_PATH
                + " dev.portolan.backend.sample.SampleBackend --standalone";
        assertEquals("java … dev.portolan.backend.sample.SampleBackend --standalone", CommandLines.shorten(sample, "…"));
        assertEquals("java ... dev.portolan.backend.sample.SampleBackend --standalone",
                CommandLines.shorten(sample, "..."));
        // a jar, a module, options that take the next word
        assertEquals("java … -jar …/app.jar --server.port=0", CommandLines.shorten(
                "/opt/jdk/bin/java -Xmx512m --add-opens java.base/java.lang=ALL-UNNAMED -jar "
                        + "/home/someone/projects/spring/target/app.jar --server.port=0", "…"));
        assertEquals("java … -m dev.example/dev.example.Main", CommandLines.shorten(
                "/opt/jdk/bin/java -Xss2m --module-path /home/someone/projects/mods:/home/someone/lib -m "
                        + "dev.example/dev.example.Main", "…"));
    }

    @Test
    void aLongPathKeepsItsFileNameAndOtherWordsStay() {
        assertEquals("python3 …/main.py --port 8009 --reload", CommandLines.shorten(
                "/usr/bin/python3 /home/someone/projects/backend/examples/main.py --port 8009 --reload", "…"));
        // URLs and short paths stay as they are
        assertEquals("node …/server.js --upstream http://127.0.0.1:8009/some/long/api/path/v1 ./x/y",
                CommandLines.shorten("/usr/local/bin/node /srv/applications/frontend/dist/server.js --upstream "
                        + "http://127.0.0.1:8009/some/long/api/path/v1 ./x/y", "…"));
        assertEquals("server.exe …\\config.json", CommandLines.shorten(
                "C:\\Program\\server.exe C:\\Users\\someone\\AppData\\Local\\server\\config.json", "…"));
    }

    @Test
    void aShortCommandStaysWhole() {
        assertEquals("/usr/bin/python3 -m http.server 0", CommandLines.shorten(" /usr/bin/python3 -m http.server 0\n",
                "…"));
        String sixty = "/usr/bin/python3 -m uvicorn app:app --port 8009 --log-le xyz";
        assertEquals(CommandLines.KEEP_WHOLE, sixty.length());
        assertEquals(sixty, CommandLines.shorten(sixty, "…"));
        assertEquals("python3 -m uvicorn app:app --port 8009 --log-le xyz1", CommandLines.shorten(sixty + "1", "…"));
        assertEquals("null", CommandLines.shorten(null, "…"));
    }

    @Test
    void controlCharactersBecomeSpaces() {
        // another process's command line: a line break or an escape sequence never reaches a table or a terminal
        String cmd = "/usr/bin/python3 -c import socket\nprint('\u001b[2J') # and a comment that makes it long";
        assertEquals("python3 -c import socket print(' [2J') # and a comment that makes it long",
                CommandLines.shorten(cmd, "…"));
        assertEquals("serve   --title x [2J", CommandLines.shorten("serve\r\n --title x\u001b[2J", "…"));
    }

    @Test
    void argumentsKnownAsAListStayOneWordEachQuotedWhenTheyHoldWhiteSpace() {
        // a front end under Equinox, as its registry entry names it: one JVM option holds blanks
        List<String> feed = List.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java", "-Dosgi.requiredJavaVersion=21",
                "-Djava.util.logging.SimpleFormatter.format=[%1$tT] %4$s: %5$s%6$s%n", "-jar",
                "/work/main/releng/dev.portolan.product/target/products/plugins/org.eclipse.equinox.launcher_1.7.jar",
                "-application", "dev.portolan.app.cli", "run", "--feed");
        assertEquals("java … -jar …/org.eclipse.equinox.launcher_1.7.jar -application dev.portolan.app.cli run --feed",
                CommandLines.shortenArguments(feed, "…"));
        // the same line as text (ports: the OS's): the option's value came apart at its blanks; words that cannot
        // follow a JVM's options (no main class, no source file) are still the option's
        assertEquals(CommandLines.shortenArguments(feed, "…"), CommandLines.shorten(String.join(" ", feed), "…"));
        assertEquals("java … dev.example.Main --port 8009", CommandLines.shorten("/opt/jdk/bin/java -cp /home/some one/"
                + "lib/a.jar:/home/some one/lib/b.jar -Dx=a %b :c dev.example.Main --port 8009", "…"));
        assertEquals("java … Main.java 8009", CommandLines.shorten("/opt/jdk/bin/java -Dformat=%1$s %2$s"
                + " --enable-preview -Dsome.long.option=value Main.java 8009", "…"));

        assertEquals("python3 …/main.py --title 'the reference backend, with a title' --name '' --port 8009",
                CommandLines.shortenArguments(List.of("/usr/bin/python3",
                        "/home/someone/projects/backend/examples/main.py", "--title",
                        "the reference backend, with a title", "--name", "", "--port", "8009"), "…"));
        assertEquals("sh -c 'echo '\\''hi there'\\''' x", CommandLines.shortenArguments(List.of("sh", "-c",
                "echo 'hi there'", "x"), "…"), "a quote inside a quoted word as a POSIX shell writes it");
        assertEquals("python3 …/'my main.py' 'a b'", CommandLines.shortenArguments(List.of("/usr/bin/python3",
                "/home/someone/projects/backend/my main.py", "a\nb"), "…"), "a long path keeps its file name");
        assertEquals("", CommandLines.shortenArguments(List.of(), "…"));
    }
}
