package dev.portolan.core.protocol;

/**
 * The health rule for a server that never heard of Portolan (adopted by process ownership; docs/launcher.md,
 * "Adoption"): healthy when its health path answers 2xx; when the health path is 404 (it has none), healthy when
 * {@code /} gives any HTTP answer at all. The launcher (before adopting) and the tracker (every later check) both ask
 * it. @since 0.1.5
 */
public final class AdoptionRule {

    /** What an answer on the health path means. */
    public enum Verdict {
        /** 2xx: healthy. */
        HEALTHY,
        /** 404 (no health path): healthy if {@code /} answers at all, see {@link #rootAnswered}. */
        ASK_ROOT,
        /** Any other answer: not healthy (yet). */
        UNHEALTHY
    }

    private AdoptionRule() {
    }

    /**
     * The verdict on the health path's HTTP status. A 404 on a health path that is {@code /} itself is that "any
     * answer on {@code /}": healthy, without asking again.
     */
    public static Verdict onHealth(int status, boolean healthPathIsRoot) {
        if (status >= 200 && status < 300) {
            return Verdict.HEALTHY;
        }
        if (status == 404) {
            return healthPathIsRoot ? Verdict.HEALTHY : Verdict.ASK_ROOT;
        }
        return Verdict.UNHEALTHY;
    }

    /** After {@link Verdict#ASK_ROOT}: healthy when {@code /} gave an HTTP status at all ({@code status > 0}). */
    public static boolean rootAnswered(int status) {
        return status > 0;
    }
}
