package dev.portolan.app.internal.plain;

import java.util.List;
import java.util.Map;

/**
 * One Declarative Services component as its {@code OSGI-INF/*.xml} descriptor declares it (DS 1.3/1.4 namespace, as
 * bnd generates it from the annotations).
 *
 * @param init number of constructor parameters (DS 1.4 constructor injection), 0 for the no-argument constructor
 */
public record ComponentDescriptor(String name, String implementation, boolean enabled, String configurationPolicy,
        String factory, String activate, String deactivate, int init, List<String> services,
        Map<String, Object> properties, List<Reference> references) {

    /** One {@code <reference>} element. */
    public record Reference(String name, String service, String cardinality, String policy, String target,
            String bind, String field, String fieldOption, String fieldCollectionType, Integer parameter) {

        /** {@code 0..1} or {@code 0..n}. */
        public boolean optional() {
            return cardinality.startsWith("0");
        }

        /** {@code 0..n} or {@code 1..n}. */
        public boolean multiple() {
            return cardinality.endsWith("n");
        }

        public boolean dynamic() {
            return "dynamic".equals(policy);
        }
    }
}
