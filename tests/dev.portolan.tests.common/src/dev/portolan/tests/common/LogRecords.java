package dev.portolan.tests.common;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The records one class's {@link System.Logger} writes from now until {@link #close()}: the JDK's System.Logger writes
 * to java.util.logging's logger of the same name, which this keeps (JUL holds its loggers weakly) with a handler and,
 * while open, at {@code level} or finer.
 */
public final class LogRecords implements AutoCloseable {

    private final Logger logger;
    private final Level levelBefore;
    private final Await.Recorder<LogRecord> records = new Await.Recorder<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.accept(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogRecords(String name, Level level) {
        logger = Logger.getLogger(name);
        levelBefore = logger.getLevel();
        if (level != null) {
            logger.setLevel(level);
        }
        logger.addHandler(handler);
    }

    /** The records of the logger named {@code name} (a class's name) at its level (INFO unless configured). */
    public static LogRecords of(String name) {
        return new LogRecords(name, null);
    }

    /**
     * The records of the logger named {@code name} down to {@code level} ({@link Level#FINE}: System.Logger's DEBUG).
     */
    public static LogRecords of(String name, Level level) {
        return new LogRecords(name, level);
    }

    /** The first record since this was opened that matches, waited for at most {@code timeout}. */
    public LogRecord await(Predicate<LogRecord> match, Duration timeout, String what) {
        return records.await(match, timeout, what);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(levelBefore);
    }
}
