package dev.portolan.detect.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dev.portolan.api.Endpoint;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectionException;
import dev.portolan.api.discovery.DetectorStrategy;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.core.discovery.HealthProbe;

/**
 * Strategy 4, {@code override}: the port the user set ({@code API_PORT} in the front end's environment, or the
 * override preference), on 127.0.0.1, validated like the others (health + identity when a token is known; otherwise
 * {@code user}; without credentials a server that has no Portolan health is taken by the adoption rule, with {@code /}
 * as its health URL when its health path is 404: {@link HealthProbe#checkPinned}). Not applicable when none is set.
 * With {@code API_PORT} the discovery service looks at that port only (every strategy); the preference is one strategy
 * among the others. (A pinned override through {@code EndpointTracker.override} bypasses discovery.)
 */
@Component(service = DetectorStrategy.class, property = { "service.ranking:Integer=0",
        "portolan.strategy=" + OverrideStrategy.NAME })
public final class OverrideStrategy implements DetectorStrategy {

    public static final String NAME = "override";

    @Reference
    private SettingsService settings;

    public OverrideStrategy() {
    }

    /** For use outside OSGi. */
    public OverrideStrategy(SettingsService settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Endpoint detect(DetectionContext ctx) throws DetectionException, InterruptedException {
        Integer port = settings.effective().overridePort();
        if (port == null) {
            throw DetectionException.notApplicable(
                    "no manual override (" + EnvironmentVariables.API_PORT + " unset, no override preference)");
        }
        String origin = settings.pinnedPort().isPresent()
                ? "pinned by " + EnvironmentVariables.API_PORT + "=" + port
                : "override preference " + port;
        Endpoint e = Endpoint.at(ScanStrategy.HOST, port, NAME, false);
        // a server without Portolan's health (it never heard of Portolan) is taken by the adoption rule, unless the
        // front end expects its own backend (credentials): HealthProbe.checkPinned
        HealthProbe.Result r = HealthProbe.checkPinned(e.healthUrl(), ctx.credentials(), Deadlines.probeTimeout(ctx));
        Deadlines.debug(ctx, NAME, e.baseUrl() + " -> " + r.detail());
        if (!r.accepted()) {
            throw new DetectionException(origin + ": " + e.baseUrl() + " " + r.detail());
        }
        // a server without a health path: "/" answered for it
        return r.healthAnsweredAt(e).withSource(NAME, r.verified() ? r.verification() : Verification.USER);
    }
}
