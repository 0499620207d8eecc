package dev.portolan.registry.etcd.internal;

/**
 * A failed etcd call. {@link #unreachable()} tells a transport failure (no endpoint answered within the deadline:
 * worth retrying later) from an answer etcd gave (a compacted revision, a permission error: retrying does not help).
 */
public final class EtcdException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** gRPC status code etcd reports for a compacted revision (OUT_OF_RANGE). */
    public static final int OUT_OF_RANGE = 11;

    private final int code;
    private final boolean unreachable;

    private EtcdException(String message, int code, boolean unreachable, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.unreachable = unreachable;
    }

    /** etcd answered with an error ({@code code} is its gRPC status code). */
    public static EtcdException answered(String message, int code) {
        return new EtcdException(message, code, false, null);
    }

    /** No endpoint answered: {@code message} names every endpoint tried and why it failed. */
    public static EtcdException unreachable(String message, Throwable cause) {
        return new EtcdException(message, -1, true, cause);
    }

    public int code() {
        return code;
    }

    public boolean unreachable() {
        return unreachable;
    }
}
