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

    @Test
    void followingClosesTheOldSubscriptionBeforeTakingTheNewOne() {
        SubscriptionSlot slot = new SubscriptionSlot();
        Object first = new Object();
        Object second = new Object();
        slot.follow(first, f -> sub("first"));
        slot.follow(second, s -> {
            assertEquals(List.of("first"), closed, "the old source's subscription is closed before subscribing");
            return sub("second");
        });
        assertFalse(slot.clear(first), "the first source's unbind after the greedy replacement");
        assertEquals(List.of("first"), closed);
        assertTrue(slot.clear(second));
        assertEquals(List.of("first", "second"), closed);
    }

    @Test
    void aSourceUnboundWhileSubscribingHasItsSubscriptionClosedAtOnce() {
        SubscriptionSlot slot = new SubscriptionSlot();
        Object source = new Object();
        slot.follow(source, s -> {
            assertTrue(slot.clear(s), "unbound while the subscription is being taken (no lock is held meanwhile)");
            return sub("late");
        });
        assertEquals(List.of("late"), closed, "nothing keeps listening to a source that is gone");
        assertFalse(slot.clear(source));
        slot.clear();
        assertEquals(List.of("late"), closed, "closed once");
    }
}
