package dev.portolan.api.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
