package dev.portolan.ui.internal.chart;

/** The size of text as the canvas will draw it (a GC's font metrics; a fixed-width stand-in in tests). */
public interface TextMeasure {

    /** Width of {@code text} in pixels. */
    int width(String text);

    /** Height of a line of text in pixels. */
    int height();
}
