package dev.portolan.feed.internal;

import java.io.IOException;

import dev.portolan.api.Subscription;
import dev.portolan.api.feed.FeedAddress;

/**
 * Tells local clients where a started feed is. Today {@link RuntimeFilePublication} (a 0600 file in the state
 * directory); the seam for the local registry: a second implementation registering service
 * {@value dev.portolan.api.feed.EventFeed#SERVICE_NAME} there is added to {@link FeedComponent#publications()}.
 */
interface FeedPublication {

    /** Publishes the address until the returned handle is closed. */
    Subscription publish(FeedAddress address) throws IOException;
}
