package dev.portolan.tests.common;

import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectionException;
import dev.portolan.api.discovery.DetectorStrategy;

/** Detector strategies made from lambdas, registered as services (the discovery service's whiteboard). */
public final class TestStrategies {

    private TestStrategies() {
    }

    /** What a test strategy does. */
    @FunctionalInterface
    public interface Body {
        Endpoint detect(DetectionContext ctx) throws DetectionException, InterruptedException;
    }

    /** Registers a strategy named {@code name} with {@code service.ranking} {@code ranking}; unregister it after use. */
    public static ServiceRegistration<DetectorStrategy> register(BundleContext context, String name, int ranking,
            Body body) {
        DetectorStrategy s = new DetectorStrategy() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Endpoint detect(DetectionContext ctx) throws DetectionException, InterruptedException {
                return body.detect(ctx);
            }
        };
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_RANKING, ranking);
        return context.registerService(DetectorStrategy.class, s, props);
    }
}
