package dev.portolan.core.protocol;

import java.util.Optional;

import dev.portolan.api.Announcement;
import dev.portolan.core.internal.JacksonAnnouncementCodec;

/**
 * Encodes and decodes the one-line {@code port_info} announcement. Registered as an OSGi service; outside OSGi use
 * {@link #standard()}.
 */
public interface AnnouncementCodec {

    /** The announcement as one JSON line without a line terminator; optional fields are omitted when null. */
    String encode(Announcement announcement);

    /**
     * Parses one line. Returns empty for anything that is not a {@code port_info} object (log noise, other types).
     *
     * @throws MalformedAnnouncementException when the line is a {@code port_info} object with missing or invalid
     *                                        fields (the message says which)
     */
    Optional<Announcement> decode(String line) throws MalformedAnnouncementException;

    /** The standard implementation, for use without OSGi. */
    static AnnouncementCodec standard() {
        return JacksonAnnouncementCodec.INSTANCE;
    }
}
