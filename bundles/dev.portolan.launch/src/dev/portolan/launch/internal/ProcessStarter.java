package dev.portolan.launch.internal;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.ports.PortFinder;
import dev.portolan.platform.OrphanProtection;

/**
 * Starts the OS process of one incarnation: the command (behind the watchdog when available, with an assigned port
 * when {@link PortAssignment} applies), its working directory and the child's environment (docs/launcher.md, "Environment of the child"). Secrets travel in the environment only,
 * never on the command line (docs/security.md).
 */
final class ProcessStarter {

    private final LaunchSpec spec;
    private final List<String> command;
    private final OrphanProtection orphanProtection;
    private final String token;
    private final String identityKey;
    private final String apiToken;

    ProcessStarter(LaunchSpec spec, List<String> command, OrphanProtection orphanProtection, String token, String identityKey,
            String apiToken) {
        this.spec = spec;
        this.command = command;
        this.orphanProtection = orphanProtection;
        this.token = token;
        this.identityKey = identityKey;
        this.apiToken = apiToken;
    }

    /** A started process and its port assignment (null when none). */
    record Started(Process process, PortAssignment.Assigned assigned) {
    }

    /**
     * Starts the process; {@code challenge} is this incarnation's {@code PORTOLAN_CHALLENGE}. An assigned port's lease
     * is ended when the start fails.
     */
    Started start(String challenge, PortFinder finder) throws IOException, LaunchException {
        PortAssignment.Assigned assigned = PortAssignment.assign(spec, command, finder);
        try {
            return new Started(processBuilder(challenge, assigned).start(), assigned);
        } catch (IOException | RuntimeException e) {
            if (assigned != null && assigned.lease() != null) {
                assigned.lease().close();
            }
            throw e;
        }
    }

    private ProcessBuilder processBuilder(String challenge, PortAssignment.Assigned assigned) {
        List<String> cmd = assigned != null ? assigned.command() : command;
        ProcessBuilder pb = new ProcessBuilder(orphanProtection.wrap(cmd));
        if (spec.workingDirectory() != null) {
            pb.directory(spec.workingDirectory().toFile());
        }
        Map<String, String> env = pb.environment();
        // the front end's own override and token are not the child's business unless the spec says so
        env.remove(EnvironmentVariables.API_PORT);
        env.remove(EnvironmentVariables.PORTOLAN_TOKEN);
        env.remove(EnvironmentVariables.PORTOLAN_IDENTITY_KEY);
        env.remove(EnvironmentVariables.PORTOLAN_API_TOKEN);
        env.remove(EnvironmentVariables.PORTOLAN_CHALLENGE);
        if (SpecValidator.isPython(command.get(0)) && !spec.environment().containsKey("PYTHONUNBUFFERED")) {
            env.put("PYTHONUNBUFFERED", "1");
        }
        env.putAll(spec.environment());
        env.put(EnvironmentVariables.PORTOLAN_TOKEN, token);
        env.put(EnvironmentVariables.PORTOLAN_IDENTITY_KEY, identityKey);
        env.put(EnvironmentVariables.PORTOLAN_API_TOKEN, apiToken);
        env.put(EnvironmentVariables.PORTOLAN_CHALLENGE, challenge);
        if (spec.fixedPort() != null) {
            env.put(EnvironmentVariables.API_PORT, Integer.toString(spec.fixedPort()));
        }
        if (assigned != null) {
            PortAssignment.export(assigned, env);
        }
        return pb;
    }
}
