package dev.portolan.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import dev.portolan.core.protocol.Excerpt;

class ExcerptTest {

    @Test
    void shortTextStaysAsItIsButOnOneLine() {
        assertEquals("abc", Excerpt.of("  abc \n", 10));
        assertEquals("a b\tc".replace('\t', ' '), Excerpt.of("a\nb\tc", 10));
        assertEquals("forged [portolan] line", Excerpt.of("forged\r[portolan] line", 40));
        assertEquals("null", Excerpt.of(null, 5));
        assertEquals("x y", Excerpt.of("\u0001x\u0000y", 10));
    }

    @Test
    void aRunOfSpacesBecomesOne() {
        String page = "<!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        <title>Error response</title>";
        assertEquals("<!DOCTYPE HTML> <html lang=\"en\"> <head> <title>Error response</title>", Excerpt.of(page, 120));
        // the limit counts what is shown; the length given is the text's own
        assertEquals("a b c... (11 chars)", Excerpt.of("a   b \t c d", 5));
    }

    @Test
    void longTextIsCutAndSaysItsLength() {
        assertEquals("abcde... (12 chars)", Excerpt.of("abcdefghijkl", 5));
        assertEquals("abcde", Excerpt.of("abcde", 5));
        assertThrows(IllegalArgumentException.class, () -> Excerpt.of("x", 0));
    }
}
