package dev.portolan.backend.internal;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import dev.portolan.api.launch.DefaultBackendCommand;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.backend.sample.SampleBackend;

/** Offers the bundled sample backend as the backend to start when no backend command is configured. */
@Component(service = DefaultBackendCommand.class, property = "service.ranking:Integer=0")
public final class SampleBackendCommand implements DefaultBackendCommand {

    @Override
    public List<String> command() throws LaunchException {
        try {
            return List.copyOf(SampleBackend.command());
        } catch (RuntimeException e) {
            throw new LaunchException("cannot build the bundled sample backend's command line: " + e, e);
        }
    }
}
