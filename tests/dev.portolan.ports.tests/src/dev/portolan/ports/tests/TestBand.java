package dev.portolan.ports.tests;

import dev.portolan.tests.common.FreePorts;

/** This module's port band (20000-20299): free blocks for its tests. */
final class TestBand {

    static final FreePorts FREE = new FreePorts(20000, 20299);

    private TestBand() {
    }
}
