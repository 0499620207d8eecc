package dev.portolan.launch.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

import dev.portolan.api.SubscriptionSlot;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarEvents;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.api.ports.PortFinder;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.core.protocol.AnnouncementCodec;

/**
 * The {@link SidecarLauncher} service: a {@link SidecarEngine} whose events go to every whiteboard
 * {@link SidecarListener} service and, when present, to EventAdmin under {@link SidecarEvents} topics. Deactivation
 * stops every sidecar it launched.
 */
@Component(service = SidecarLauncher.class, property = "service.ranking:Integer=0")
public final class SidecarLauncherComponent implements SidecarLauncher {

    private static final System.Logger LOG = System.getLogger(SidecarLauncherComponent.class.getName());

    private final List<SidecarListener> listeners = new CopyOnWriteArrayList<>();
    private final AnnouncementCodec codec;
    private volatile EventAdmin eventAdmin;
    private final SidecarEngine engine;
    private final SubscriptionSlot settingsSubscription = new SubscriptionSlot();

    /**
     * @param inspector tells whether an announced port is held by the child's process tree (verification process)
     * @param finder    leases ports for launches with port assignment
     */
    @Activate
    public SidecarLauncherComponent(@Reference AnnouncementCodec codec, @Reference PortInspector inspector,
            @Reference PortFinder finder) {
        this.codec = codec;
        this.engine = new SidecarEngine(this.codec, new Fanout(), inspector, finder);
    }

    @Deactivate
    void deactivate() {
        engine.close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSidecarListener(SidecarListener listener) {
        listeners.add(listener);
    }

    void removeSidecarListener(SidecarListener listener) {
        listeners.remove(listener);
    }

    /**
     * The front end's {@code debug} setting (issue 12: one source of settings) switches the launcher's debug lines on,
     * and the sidecars it starts get {@code DEBUG_PORT_DISCOVERY=true} for their own port finder.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setSettings(SettingsService settings) {
        settingsSubscription.replace(settings, settings.addListener(effective -> engine.setDebug(effective.debug())));
    }

    void unsetSettings(SettingsService settings) {
        if (settingsSubscription.clear(settings)) { // not when a greedy replacement was bound first
            engine.setDebug(false);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setEventAdmin(EventAdmin admin) {
        this.eventAdmin = admin;
    }

    void unsetEventAdmin(EventAdmin admin) {
        if (this.eventAdmin == admin) {
            this.eventAdmin = null;
        }
    }

    @Override
    public LaunchHandle launch(LaunchSpec spec) throws LaunchException {
        return engine.launch(spec);
    }

    @Override
    public LaunchHandle launch(LaunchSpec spec, SidecarListener listener) throws LaunchException {
        return engine.launch(spec, listener);
    }

    @Override
    public List<LaunchHandle> active() {
        return engine.active();
    }

    /** Fans every sidecar event out to the whiteboard listeners and EventAdmin. */
    private final class Fanout implements SidecarListener {

        @Override
        public void stateChanged(LaunchHandle handle, SidecarState oldState, SidecarState newState) {
            for (SidecarListener l : listeners) {
                safely(l, () -> l.stateChanged(handle, oldState, newState));
            }
            Map<String, Object> p = common(handle);
            p.put(SidecarEvents.STATE, newState.name());
            p.put(SidecarEvents.OLD_STATE, oldState.name());
            if (newState == SidecarState.FAILED) {
                handle.failure().ifPresent(f -> p.put(SidecarEvents.FAILURE, f.getMessage()));
            }
            post(SidecarEvents.TOPIC_STATE, p);
        }

        @Override
        public void announced(LaunchHandle handle, SidecarAnnouncement a) {
            for (SidecarListener l : listeners) {
                safely(l, () -> l.announced(handle, a));
            }
            Map<String, Object> p = common(handle);
            p.put(SidecarEvents.PID, a.pid());
            p.put(SidecarEvents.ANNOUNCEMENT, a.announcement());
            p.put(SidecarEvents.PORT, a.announcement().port());
            p.put(SidecarEvents.URL, a.announcement().url().toString());
            p.put(SidecarEvents.HEALTH_URL, a.announcement().healthUrl().toString());
            p.put(SidecarEvents.VERIFIED, a.verified());
            post(SidecarEvents.TOPIC_ANNOUNCED, p);
        }

        @Override
        public void output(LaunchHandle handle, OutputLine line) {
            for (SidecarListener l : listeners) {
                safely(l, () -> l.output(handle, line));
            }
        }

        @Override
        public void exited(LaunchHandle handle, int exitCode, boolean expected, boolean restarting) {
            for (SidecarListener l : listeners) {
                safely(l, () -> l.exited(handle, exitCode, expected, restarting));
            }
            Map<String, Object> p = common(handle);
            p.put(SidecarEvents.EXIT_CODE, exitCode);
            p.put(SidecarEvents.EXPECTED, expected);
            p.put(SidecarEvents.RESTARTING, restarting);
            post(SidecarEvents.TOPIC_EXITED, p);
        }

        @Override
        public void diagnostic(LaunchHandle handle, String message) {
            for (SidecarListener l : listeners) {
                safely(l, () -> l.diagnostic(handle, message));
            }
            Map<String, Object> p = common(handle);
            p.put(SidecarEvents.MESSAGE, message);
            post(SidecarEvents.TOPIC_DIAGNOSTIC, p);
        }

        private Map<String, Object> common(LaunchHandle handle) {
            Map<String, Object> p = new HashMap<>();
            p.put(SidecarEvents.HANDLE, handle);
            if (handle instanceof Sidecar s) {
                p.put(SidecarEvents.LAUNCH_ID, s.id());
            }
            p.put(SidecarEvents.COMMAND, handle.spec().command().toArray(String[]::new));
            handle.pid().ifPresent(pid -> p.put(SidecarEvents.PID, pid));
            p.put(SidecarEvents.RESTART_COUNT, handle.restartCount());
            return p;
        }

        private void post(String topic, Map<String, Object> properties) {
            EventAdmin admin = eventAdmin;
            if (admin != null) {
                try {
                    admin.postEvent(new Event(topic, properties));
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot post " + topic, e);
                }
            }
        }

        private void safely(SidecarListener l, Runnable r) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "sidecar listener " + l + " failed", e);
            }
        }
    }
}
