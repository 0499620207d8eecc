package dev.portolan.api.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.portolan.api.Subscription;
import dev.portolan.api.SubscriptionSlot;

/** The holder of a component's subscription on a dynamically bound service: what is closed when, and only once. */
class SubscriptionSlotTest {

    private final List<String> closed = new CopyOnWriteArrayList<>();

    private Subscription sub(String name) {
        return () -> closed.add(name);
    }

    @Test
    void replacingClosesTheOldOneAndClearingTheCurrentOne() {
        SubscriptionSlot slot = new SubscriptionSlot();
        slot.replace(sub("a"));
        slot.replace(sub("b"));
        assertEquals(List.of("a"), closed);
        slot.clear();
        slot.clear();
        assertEquals(List.of("a", "b"), closed, "each closed once");
    }

    @Test
    void theOldServicesUnbindAfterAGreedyReplacementKeepsTheNewSubscription() {
        Object oldService = new Object();
        Object newService = new Object();
        SubscriptionSlot slot = new SubscriptionSlot();
        slot.replace(oldService, sub("old"));
        slot.replace(newService, sub("new")); // DS binds the replacement first ...
        assertFalse(slot.clear(oldService), "... then unbinds the old service: nothing of it is held");
        assertEquals(List.of("old"), closed);
        assertTrue(slot.clear(newService));
        assertEquals(List.of("old", "new"), closed);
        assertFalse(slot.clear(newService), "closed once");
    }

    @Test
    void aSubscriptionHeldWithoutSourceIsNotClearedByASource() {
        SubscriptionSlot slot = new SubscriptionSlot();
        slot.replace(sub("plain"));
        assertFalse(slot.clear(new Object()));
        assertEquals(List.of(), closed);
        slot.clear();
        assertEquals(List.of("plain"), closed);
    }
}
