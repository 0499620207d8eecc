package dev.portolan.feed.internal;

import java.io.IOException;

import dev.portolan.api.Subscription;
import dev.portolan.api.feed.FeedAddress;

/**
 * Tells local clients where a started feed is: {@link RuntimeFilePublication} (a 0600 file in the state directory)
 * and {@link RegistryPublication} (service {@value dev.portolan.api.feed.EventFeed#SERVICE_NAME} in the local
 * registry), both in {@link FeedComponent#publications()}.
 */
interface FeedPublication {

    /** Publishes the address until the returned handle is closed. */
    Subscription publish(FeedAddress address) throws IOException;

    /**
     * A publication's handle: closing it runs {@code withdraw}; when the JVM exits first (SIGTERM, Ctrl-C: it may exit
     * before the framework deactivates the feed), a shutdown hook named {@code hookName} runs {@code atExit} instead.
     */
    static Subscription untilExit(Runnable withdraw, Runnable atExit, String hookName) {
        Thread hook = new Thread(atExit, hookName);
        Runtime.getRuntime().addShutdownHook(hook);
        return () -> {
            withdraw.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or ran) anyway
            }
        };
    }
}
