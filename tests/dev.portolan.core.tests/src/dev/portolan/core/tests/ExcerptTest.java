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
    }

    @Test
    void longTextIsCutAndSaysItsLength() {
        assertEquals("abcde... (12 chars)", Excerpt.of("abcdefghijkl", 5));
        assertEquals("abcde", Excerpt.of("abcde", 5));
        assertThrows(IllegalArgumentException.class, () -> Excerpt.of("x", 0));
    }
}
