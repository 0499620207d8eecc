package dev.portolan.app.internal.cli;

import java.util.List;
import java.util.function.BooleanSupplier;

import dev.portolan.app.internal.plain.ComponentRuntime;
import dev.portolan.app.internal.plain.NotOnPlainClassPathException;

/** {@link CliServices.ServiceSource} of the plain class path: the {@link ComponentRuntime}'s services. */
final class PlainServices implements CliServices.ServiceSource {

    /**
     * Unwinds the command when the service needs the OSGi runtime and nothing has been printed yet: {@link PlainMain}
     * then exits with {@link PlainMain#HAND_OVER}. An Error, so that no command's {@code catch (Exception e)} stops it.
     */
    static final class HandOver extends Error {
        private static final long serialVersionUID = 1L;

        HandOver(String message) {
            super(message, null, false, false);
        }
    }

    private final ComponentRuntime runtime;
    private final BooleanSupplier nothingPrinted;

    PlainServices(ComponentRuntime runtime, BooleanSupplier nothingPrinted) {
        this.runtime = runtime;
        this.nothingPrinted = nothingPrinted;
    }

    @Override
    public <T> T get(Class<T> type, String filter) throws CliServices.MissingServiceException {
        String why;
        try {
            var service = runtime.service(type, filter);
            if (service.isPresent()) {
                return service.get();
            }
            List<String> problems = runtime.problems(type);
            if (!problems.isEmpty()) { // the OSGi runtime would not do better: report, as it would after its wait
                throw new CliServices.MissingServiceException("the " + type.getSimpleName() + " service did not start: "
                        + String.join("; ", problems));
            }
            why = "no bundle on the plain class path provides it";
        } catch (NotOnPlainClassPathException e) {
            why = e.getMessage();
        }
        if (nothingPrinted.getAsBoolean()) {
            throw new HandOver(type.getName() + ": " + why);
        }
        throw new CliServices.MissingServiceException("the " + type.getSimpleName()
                + " service needs the OSGi runtime, but the command already printed output (" + why + ")");
    }
}
