package dev.portolan.launch.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import dev.portolan.api.launch.OutputLine;

/** Bounded ring buffers of a sidecar's output, one per stream, with a global arrival sequence. Thread-safe. */
final class OutputBuffer {

    private record Entry(long seq, OutputLine line) {
    }

    private final int capacity;
    private final ArrayDeque<Entry> stdout;
    private final ArrayDeque<Entry> stderr;
    private long nextSeq;

    OutputBuffer(int capacityPerStream) {
        this.capacity = capacityPerStream;
        this.stdout = new ArrayDeque<>(Math.min(capacityPerStream, 1024));
        this.stderr = new ArrayDeque<>(Math.min(capacityPerStream, 1024));
    }

    /** Adds a line and returns its sequence number. */
    synchronized long add(OutputLine line) {
        ArrayDeque<Entry> q = line.stream() == OutputLine.Stream.STDOUT ? stdout : stderr;
        if (q.size() == capacity) {
            q.removeFirst();
        }
        long seq = nextSeq++;
        q.addLast(new Entry(seq, line));
        return seq;
    }

    /** The sequence number the next line will get. */
    synchronized long nextSeq() {
        return nextSeq;
    }

    synchronized List<OutputLine> snapshot(OutputLine.Stream stream) {
        List<OutputLine> out = new ArrayList<>();
        for (Entry e : stream == OutputLine.Stream.STDOUT ? stdout : stderr) {
            out.add(e.line());
        }
        return out;
    }

    /** Both streams merged in arrival order. */
    synchronized List<OutputLine> snapshot() {
        List<OutputLine> out = new ArrayList<>(stdout.size() + stderr.size());
        var a = stdout.iterator();
        var b = stderr.iterator();
        Entry x = a.hasNext() ? a.next() : null;
        Entry y = b.hasNext() ? b.next() : null;
        while (x != null || y != null) {
            if (y == null || x != null && x.seq() < y.seq()) {
                out.add(x.line());
                x = a.hasNext() ? a.next() : null;
            } else {
                out.add(y.line());
                y = b.hasNext() ? b.next() : null;
            }
        }
        return out;
    }

    /** The last {@code max} lines of one stream with a sequence number {@code >= fromSeq}. */
    synchronized List<String> tail(OutputLine.Stream stream, long fromSeq, int max) {
        ArrayDeque<Entry> q = stream == OutputLine.Stream.STDOUT ? stdout : stderr;
        List<String> out = new ArrayList<>();
        var it = q.descendingIterator();
        while (it.hasNext() && out.size() < max) {
            Entry e = it.next();
            if (e.seq() < fromSeq) {
                break;
            }
            out.add(0, e.line().text());
        }
        return out;
    }
}
