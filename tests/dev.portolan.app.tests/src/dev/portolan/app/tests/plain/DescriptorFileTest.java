package dev.portolan.app.tests.plain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portolan.app.internal.plain.ComponentDescriptor;
import dev.portolan.app.internal.plain.DescriptorFile;
import dev.portolan.app.internal.plain.DescriptorReader;

/**
 * The file that carries the plan's component descriptors to a headless command: what goes in comes out, whatever the
 * descriptors hold, and a damaged file is named with what to do.
 */
class DescriptorFileTest {

    private static String component(String name, String body) {
        return ComponentRuntimeTest.component(name, name + "Impl", name, body);
    }

    @Test
    void whatIsWrittenIsReadBackInItsOrderWhateverTheTextHolds(@TempDir Path dir) throws Exception {
        Map<String, String> in = new LinkedHashMap<>();
        // lines that look like a header, non-ASCII text, no final line break, an empty descriptor
        in.put("OSGI-INF/b.xml", component("B", "  <!--\nOSGI-INF/c.xml 12\n\n-->\n"
                + "  <property name=\"label\" value=\"ünïcødé ✓\"/>\n"));
        in.put("OSGI-INF/a.xml", component("A", "").stripTrailing());
        in.put("OSGI-INF/empty.xml", "");
        Path file = dir.resolve("descriptors");
        Files.writeString(file, DescriptorFile.format(in));

        List<ComponentDescriptor> read = DescriptorFile.read(file);

        List<ComponentDescriptor> expected = new ArrayList<>();
        in.forEach((resource, xml) -> expected.addAll(DescriptorReader.read(xml, resource)));
        assertEquals(expected, read);
        assertEquals(List.of("B", "A"), read.stream().map(ComponentDescriptor::name).toList());
        assertEquals("ünïcødé ✓", read.get(0).properties().get("label"));
    }

    @Test
    void aDamagedFileIsNamedWithWhatToDo(@TempDir Path dir) throws Exception {
        String good = DescriptorFile.format(Map.of("OSGI-INF/a.xml", component("A", "")));
        for (String damaged : List.of(good.substring(0, good.length() - 10), // cut short
                good.replace(" " + component("A", "").length() + "\n", " many\n"), // no length
                "OSGI-INF/a.xml\n" + component("A", ""), // no header
                good.replace("\n<scr:component", "\n<scr:component extra"))) { // longer than its length says
            Path file = dir.resolve("descriptors");
            Files.writeString(file, damaged);
            IOException e = assertThrows(IOException.class, () -> DescriptorFile.read(file), damaged);
            assertTrue(e.getMessage().startsWith(file + " is corrupt at offset "), e.getMessage());
            assertTrue(e.getMessage().contains("the next ./portolan command plans it again"), e.getMessage());
        }
    }

    @Test
    void aResourceNameWithASpaceCannotBeWritten() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DescriptorFile.format(Map.of("OSGI-INF/a b.xml", "")));
        assertTrue(e.getMessage().contains("'OSGI-INF/a b.xml'"), e.getMessage());
    }
}
