package dev.portolan.registry.etcd.tests;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Small JSON bodies for raw gateway calls in tests. */
final class EtcdTestJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EtcdTestJson() {
    }

    /** An object of alternating names and values (strings, booleans, numbers). */
    static ObjectNode object(Object... namesAndValues) {
        ObjectNode o = JSON.createObjectNode();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            o.set((String) namesAndValues[i], JSON.valueToTree(namesAndValues[i + 1]));
        }
        return o;
    }
}
