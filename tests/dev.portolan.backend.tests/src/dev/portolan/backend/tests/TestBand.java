package dev.portolan.backend.tests;

import dev.portolan.tests.common.FreePorts;

/** This module's port band (20300-20899): free blocks for its tests. */
final class TestBand {

    static final FreePorts FREE = new FreePorts(20300, 20899);

    private TestBand() {
    }
}
