/**
 * The local event feed: a WebSocket that pushes endpoint and sidecar events as JSON (schema in docs/feed.md) and
 * serves the Prometheus metrics, both on 127.0.0.1 with a per-start token.
 */
@NullMarked
package dev.portolan.api.feed;

import org.jspecify.annotations.NullMarked;
