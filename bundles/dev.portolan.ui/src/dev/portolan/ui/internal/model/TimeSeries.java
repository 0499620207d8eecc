package dev.portolan.ui.internal.model;

import java.util.Arrays;

/**
 * A bounded time series: a ring of at most {@code capacity} points, each a time (epoch milliseconds) and a fixed
 * number of values; memory is allocated once, the oldest point is overwritten when it is full. A point whose first
 * value is {@code NaN} is a <em>gap</em> (no data: the instance was unhealthy or absent). Times only move forward: a
 * point older than the newest is ignored. Not thread-safe: its owner locks.
 */
public final class TimeSeries {

    private final long[] times;
    private final double[][] values;
    private int start;
    private int size;

    /** A series of up to {@code capacity} points of {@code columns} values each. */
    public TimeSeries(int capacity, int columns) {
        if (capacity < 1 || columns < 1) {
            throw new IllegalArgumentException("capacity and columns must be >= 1: " + capacity + ", " + columns);
        }
        times = new long[capacity];
        values = new double[columns][capacity];
    }

    /** Appends a point; returns false (and keeps nothing) when {@code time} is older than the newest point. */
    public boolean add(long time, double... point) {
        if (point.length != values.length) {
            throw new IllegalArgumentException("expected " + values.length + " values, got " + point.length);
        }
        if (size > 0 && time < lastTime()) {
            return false;
        }
        int at;
        if (size < times.length) {
            at = (start + size) % times.length;
            size++;
        } else {
            at = start; // full: the oldest point makes room
            start = (start + 1) % times.length;
        }
        times[at] = time;
        for (int c = 0; c < values.length; c++) {
            values[c][at] = point[c];
        }
        return true;
    }

    /** Appends a gap at {@code time} unless the newest point already is one (or the series is empty). */
    public boolean addGap(long time) {
        if (size == 0 || isGap(size - 1)) {
            return false;
        }
        double[] gap = new double[values.length];
        Arrays.fill(gap, Double.NaN);
        return add(time, gap);
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return times.length;
    }

    /** Time of the i-th point, 0 = the oldest kept. */
    public long time(int i) {
        return times[index(i)];
    }

    /** Value {@code column} of the i-th point. */
    public double value(int i, int column) {
        return values[column][index(i)];
    }

    public boolean isGap(int i) {
        return Double.isNaN(value(i, 0));
    }

    /** Time of the newest point; {@link Long#MIN_VALUE} when empty. */
    public long lastTime() {
        return size == 0 ? Long.MIN_VALUE : time(size - 1);
    }

    /**
     * A copy of the points from {@code from} on (inclusive), plus (when there are any) the last point before them if
     * that one is not a gap, so a line can enter the window from its left edge.
     */
    public Points since(long from) {
        int first = 0;
        while (first < size && time(first) < from) {
            first++;
        }
        if (first > 0 && first < size && !isGap(first - 1)) {
            first--;
        }
        int n = size - first;
        long[] t = new long[n];
        double[][] v = new double[values.length][n];
        for (int i = 0; i < n; i++) {
            t[i] = time(first + i);
            for (int c = 0; c < values.length; c++) {
                v[c][i] = value(first + i, c);
            }
        }
        return new Points(t, v);
    }

    private int index(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i + " of " + size);
        }
        return (start + i) % times.length;
    }

    /** An immutable copy of some points: {@code times[i]} with {@code values[column][i]}; NaN values are gaps. */
    public record Points(long[] times, double[][] values) {

        public int size() {
            return times.length;
        }

        public double value(int i) {
            return values[0][i];
        }
    }
}
