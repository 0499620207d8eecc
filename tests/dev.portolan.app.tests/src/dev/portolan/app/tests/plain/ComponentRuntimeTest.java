package dev.portolan.app.tests.plain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.portolan.app.internal.plain.ComponentDescriptor;
import dev.portolan.app.internal.plain.ComponentRuntime;
import dev.portolan.app.internal.plain.DescriptorReader;
import dev.portolan.app.internal.plain.NotOnPlainClassPathException;
import dev.portolan.app.tests.plain.Fixtures.Clock;
import dev.portolan.app.tests.plain.Fixtures.Greeter;
import dev.portolan.app.tests.plain.Fixtures.Hub;

/**
 * The plain class path's component runtime against descriptors in the form bnd writes them: wiring by interface,
 * ranking, cardinalities, constructor injection, target filters, cycles through dynamic references, deactivation
 * order, and the hand-over when a component needs a real framework.
 */
class ComponentRuntimeTest {

    private static final String F = Fixtures.class.getName() + "$";
    private static final String NS = "xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\"";

    @BeforeEach
    void clearEvents() {
        Fixtures.EVENTS.clear();
    }

    /** A descriptor as bnd writes it (also for {@link DescriptorFileTest}); its classes are {@link Fixtures}'. */
    static String component(String name, String impl, String service, String body) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<scr:component " + NS + " name=\"" + name + "\">\n"
                + (service == null ? "" : "  <service>\n    <provide interface=\"" + F + service + "\"/>\n  </service>\n")
                + body + "  <implementation class=\"" + F + impl + "\"/>\n</scr:component>\n";
    }

    private static String ranking(int r) {
        return "  <property name=\"service.ranking\" type=\"Integer\" value=\"" + r + "\"/>\n";
    }

    private static ComponentRuntime runtime(String... xml) {
        List<ComponentDescriptor> all = new ArrayList<>();
        for (int i = 0; i < xml.length; i++) {
            all.addAll(DescriptorReader.read(xml[i], "test descriptor " + i));
        }
        return ComponentRuntime.of(Fixtures.class.getClassLoader(), all);
    }

    private static final String SLOW = component("slow", "SlowClock", "Clock", ranking(0));
    private static final String FAST = component("fast", "FastClock", "Clock",
            ranking(10) + "  <property name=\"kind\" value=\"quick &amp; exact\"/>\n");
    private static final String FIELD_GREETER = component("greeter", "FieldGreeter", "Greeter",
            "  <reference name=\"clock\" interface=\"" + F + "Clock\" field=\"clock\"/>\n");

    @Test
    void aFieldReferenceGetsTheBestRankedProviderOfItsInterface() throws Exception {
        ComponentRuntime rt = runtime(SLOW, FAST, FIELD_GREETER);
        Greeter g = rt.service(Greeter.class).orElseThrow();
        assertEquals("hello at fast", g.greet());
        assertEquals(List.of("activate FastClock kind=quick & exact"), Fixtures.EVENTS,
                "only what the greeter needs is activated (delayed components), with its properties");
        assertSame(g, rt.service(Greeter.class).orElseThrow(), "one instance per component");
    }

    @Test
    void ofEquallyRankedProvidersTheOneDeclaredFirstIsBound() throws Exception {
        // as SCR: the same ranking, the lower service id (here: the component read first)
        String fastRankedZero = component("fast", "FastClock", "Clock", ranking(0));
        assertEquals("hello at slow", runtime(SLOW, fastRankedZero, FIELD_GREETER).service(Greeter.class)
                .orElseThrow().greet());
        assertEquals("hello at fast", runtime(fastRankedZero, SLOW, FIELD_GREETER).service(Greeter.class)
                .orElseThrow().greet());
        assertEquals("hello at fast", runtime(SLOW, FAST, FIELD_GREETER).service(Greeter.class).orElseThrow().greet(),
                "a higher ranking wins whatever the order");
    }

    @Test
    void constructorInjectionAndTargetFilters() throws Exception {
        String ctor = "<?xml version=\"1.0\"?>\n<scr:component " + NS + " name=\"ctor\" init=\"1\">\n"
                + "  <service><provide interface=\"" + F + "Greeter\"/></service>\n"
                + "  <reference name=\"clock\" interface=\"" + F + "Clock\" parameter=\"0\" target=\"(component.name=slow)\"/>\n"
                + "  <implementation class=\"" + F + "ConstructorGreeter\"/>\n</scr:component>";
        ComponentRuntime rt = runtime(FAST, SLOW, ctor);
        assertEquals("hi at slow", rt.service(Greeter.class).orElseThrow().greet());
    }

    @Test
    void aCycleThroughADynamicReferenceIsBoundOnceBothAreActive() throws Exception {
        String hub = component("hub", "ListeningHub", "Hub", "  <reference name=\"Listener\" cardinality=\"0..n\""
                + " policy=\"dynamic\" interface=\"" + F + "Listener\" bind=\"addListener\" unbind=\"removeListener\"/>\n");
        String listener = component("listener", "HubListener", "Listener", ranking(3)
                + "  <reference name=\"hub\" interface=\"" + F + "Hub\" field=\"hub\"/>\n");
        Hub h = runtime(hub, listener).service(Hub.class).orElseThrow();
        assertEquals(1, h.listeners().size(), Fixtures.EVENTS.toString());
        assertEquals(List.of("activate HubListener hub=true", "bind Listener ranking=3"), Fixtures.EVENTS);
    }

    @Test
    void anActivateThatAsksTheRuntimeFromAnotherThreadDoesNotDeadlock() throws Exception {
        ComponentRuntime rt = runtime(SLOW, component("caller", "CallingBackGreeter", "Greeter", ""));
        Fixtures.runtime = rt;
        Greeter g = rt.service(Greeter.class).orElseThrow(() -> new AssertionError(rt.problems(Greeter.class)));
        assertEquals("hello, the other thread found slow", g.greet());
        assertEquals(List.of("activate SlowClock", "activate CallingBackGreeter clock=slow"), Fixtures.EVENTS);
        rt.close();
        assertEquals(List.of("activate SlowClock", "activate CallingBackGreeter clock=slow", "deactivate SlowClock"),
                Fixtures.EVENTS, "activated in that order, so deactivated in reverse");
    }

    @Test
    void anotherThreadAskingForAComponentBeingActivatedGetsItOnlyOnceActive() throws Exception {
        ComponentRuntime rt = runtime(component("self", "SelfAskingGreeter", "Greeter", ""));
        Fixtures.runtime = rt;
        Greeter g = rt.service(Greeter.class).orElseThrow();
        Greeter other = Fixtures.OTHER_THREAD_GOT.get(Fixtures.DEADLINE_SECONDS, TimeUnit.SECONDS);
        assertSame(g, other, "one instance, whichever thread asks");
        assertEquals(List.of("activate SelfAskingGreeter", "other thread got activated"), Fixtures.EVENTS);
    }

    @Test
    void closeDeactivatesTheLastActivatedFirst() throws Exception {
        ComponentRuntime rt = runtime(SLOW, FIELD_GREETER);
        rt.service(Greeter.class).orElseThrow();
        rt.close();
        assertEquals(List.of("activate SlowClock", "deactivate FieldGreeter reason=6", "deactivate SlowClock"),
                Fixtures.EVENTS);
    }

    @Test
    void anUnsatisfiedReferenceLeavesTheServiceAbsentAndSaysWhy() throws Exception {
        ComponentRuntime rt = runtime(FIELD_GREETER);
        assertTrue(rt.service(Greeter.class).isEmpty());
        String why = String.join("; ", rt.problems(Greeter.class));
        assertTrue(why.contains("greeter") && why.contains(F + "Clock") && why.contains("'clock'"), why);
        assertTrue(rt.service(Clock.class).isEmpty(), "nobody provides a clock");
        assertTrue(rt.problems(Clock.class).isEmpty());
    }

    @Test
    void aComponentThatNeedsItsBundleContextIsHandedOverBeforeAnythingIsActivated() {
        String ctx = component("ctx", "ContextGreeter", "Greeter",
                "  <reference name=\"clock\" interface=\"" + F + "Clock\" field=\"clock\"/>\n");
        ComponentRuntime rt = runtime(SLOW, ctx);
        NotOnPlainClassPathException e = assertThrows(NotOnPlainClassPathException.class,
                () -> rt.service(Greeter.class));
        assertTrue(e.getMessage().contains("ctx") && e.getMessage().contains("BundleContext"), e.getMessage());
        assertEquals(List.of(), Fixtures.EVENTS, "neither the clock nor the greeter was activated");
    }

    @Test
    void aMissingImplementationClassIsHandedOverToo() {
        ComponentRuntime rt = runtime(component("ghost", "NoSuchClass", "Greeter", ""));
        assertThrows(NotOnPlainClassPathException.class, () -> rt.service(Greeter.class));
    }

    @Test
    void theReaderKeepsEveryReferenceAttributeAndPropertyArrays() {
        String xml = "<?xml version=\"1.0\"?>\n<!-- generated -->\n<scr:component " + NS
                + " name=\"x\" activate=\"start\" deactivate=\"stop\" enabled=\"false\">\n"
                + "  <property name=\"tags\" type=\"String\">a\nb\n</property>\n"
                + "  <property name=\"n\" type=\"Long\" value=\"7\"/>\n"
                + "  <reference name=\"r\" cardinality=\"1..n\" policy=\"dynamic\" interface=\"a.B\" field=\"bs\""
                + " field-option=\"update\" policy-option=\"greedy\" target=\"(k=&quot;v&quot;)\"/>\n"
                + "  <implementation class=\"a.X\"/>\n</scr:component>";
        ComponentDescriptor d = DescriptorReader.read(xml, "t").get(0);
        assertEquals("start", d.activate());
        assertEquals("stop", d.deactivate());
        assertFalse(d.enabled());
        assertEquals(List.of("a", "b"), List.of((Object[]) d.properties().get("tags")));
        assertEquals(7L, d.properties().get("n"));
        ComponentDescriptor.Reference r = d.references().get(0);
        assertTrue(r.multiple() && !r.optional() && r.dynamic());
        assertEquals("update", r.fieldOption());
        assertEquals("(k=\"v\")", r.target());
    }
}
