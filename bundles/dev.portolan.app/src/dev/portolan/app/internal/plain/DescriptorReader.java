package dev.portolan.app.internal.plain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads DS component descriptors ({@code OSGI-INF/*.xml}). A small scanner of elements and attributes instead of a
 * JAXP parser: the descriptors are machine-written by bnd, and loading a DOM parser would cost a short-lived
 * command more than the command itself. Unknown elements and attributes are ignored, as SCR ignores them.
 */
public final class DescriptorReader {

    private DescriptorReader() {
    }

    /** The components of one descriptor file ({@code source} names it in error messages). */
    public static List<ComponentDescriptor> read(String xml, String source) {
        List<ComponentDescriptor> out = new ArrayList<>();
        Builder current = null;
        String propertyName = null;
        String propertyType = null;
        int i = 0;
        while ((i = xml.indexOf('<', i)) >= 0) {
            if (xml.startsWith("<!--", i)) {
                i = skip(xml, i, "-->", source);
                continue;
            }
            if (xml.startsWith("<?", i)) {
                i = skip(xml, i, "?>", source);
                continue;
            }
            int end = xml.indexOf('>', i);
            if (end < 0) {
                throw new IllegalArgumentException(source + ": unterminated element at offset " + i);
            }
            String tag = xml.substring(i + 1, end);
            boolean closing = tag.startsWith("/");
            String element = localName(elementName(tag, closing ? 1 : 0));
            Map<String, String> a = closing ? Map.of() : attributes(tag);
            if (closing) {
                if ("component".equals(element) && current != null) {
                    out.add(current.build(source));
                    current = null;
                } else if ("property".equals(element) && propertyName != null && current != null) {
                    String text = xml.substring(xml.lastIndexOf('>', i - 1) + 1, i);
                    current.properties.put(propertyName, arrayValue(propertyType, text));
                    propertyName = null;
                }
            } else if ("component".equals(element)) {
                current = new Builder(a);
            } else if (current != null) {
                boolean selfClosing = tag.endsWith("/");
                switch (element) {
                    case "implementation" -> current.implementation = a.get("class");
                    case "provide" -> current.services.add(a.get("interface"));
                    case "reference" -> current.references.add(reference(a));
                    case "property" -> {
                        if (a.containsKey("value")) {
                            current.properties.put(a.get("name"), value(a.get("type"), a.get("value")));
                        } else if (!selfClosing) {
                            propertyName = a.get("name");
                            propertyType = a.get("type");
                        }
                    }
                    default -> { // service, properties (configuration files are not supported: no ConfigAdmin)
                    }
                }
            }
            i = end + 1;
        }
        return out;
    }

    private static int skip(String xml, int from, String terminator, String source) {
        int end = xml.indexOf(terminator, from);
        if (end < 0) {
            throw new IllegalArgumentException(source + ": unterminated '" + xml.substring(from, from + 2) + "'");
        }
        return end + terminator.length();
    }

    /** The element name at {@code from}: up to white space, '/' or the end (no regular expression: see above). */
    private static String elementName(String tag, int from) {
        int end = from;
        while (end < tag.length() && !Character.isWhitespace(tag.charAt(end)) && tag.charAt(end) != '/') {
            end++;
        }
        return tag.substring(from, end);
    }

    private static String localName(String qualified) {
        return qualified.substring(qualified.indexOf(':') + 1);
    }

    private static Map<String, String> attributes(String tag) {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        while (true) {
            int eq = tag.indexOf('=', i);
            if (eq < 0) {
                return out;
            }
            int q = eq + 1;
            while (q < tag.length() && Character.isWhitespace(tag.charAt(q))) {
                q++;
            }
            char quote = tag.charAt(q);
            int close = tag.indexOf(quote, q + 1);
            String name = tag.substring(i, eq).trim();
            int start = name.length();
            while (start > 0 && !Character.isWhitespace(name.charAt(start - 1))) {
                start--;
            }
            name = name.substring(start);
            out.put(localName(name), unescape(tag.substring(q + 1, close)));
            i = close + 1;
        }
    }

    private static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
                .replace("&#10;", "\n").replace("&amp;", "&");
    }

    private static ComponentDescriptor.Reference reference(Map<String, String> a) {
        String parameter = a.get("parameter");
        return new ComponentDescriptor.Reference(a.get("name"), a.get("interface"),
                a.getOrDefault("cardinality", "1..1"), a.getOrDefault("policy", "static"), a.get("target"),
                a.get("bind"), a.get("field"), a.getOrDefault("field-option", "replace"),
                a.getOrDefault("field-collection-type", "service"),
                parameter == null ? null : Integer.valueOf(parameter));
    }

    private static Object arrayValue(String type, String text) {
        List<Object> values = new ArrayList<>();
        for (String line : unescape(text).split("\n")) {
            if (!line.isBlank()) {
                values.add(value(type, line.trim()));
            }
        }
        return values.toArray(new Object[0]);
    }

    static Object value(String type, String v) {
        return switch (type == null ? "String" : type) {
            case "Integer" -> Integer.valueOf(v.trim());
            case "Long" -> Long.valueOf(v.trim());
            case "Boolean" -> Boolean.valueOf(v.trim());
            case "Double" -> Double.valueOf(v.trim());
            case "Float" -> Float.valueOf(v.trim());
            case "Short" -> Short.valueOf(v.trim());
            case "Byte" -> Byte.valueOf(v.trim());
            case "Character", "Char" -> (char) Integer.parseInt(v.trim());
            default -> v;
        };
    }

    private static final class Builder {
        final Map<String, String> attributes;
        String implementation;
        final List<String> services = new ArrayList<>();
        final Map<String, Object> properties = new LinkedHashMap<>();
        final List<ComponentDescriptor.Reference> references = new ArrayList<>();

        Builder(Map<String, String> attributes) {
            this.attributes = attributes;
        }

        ComponentDescriptor build(String source) {
            String name = attributes.get("name");
            if (name == null || implementation == null) {
                throw new IllegalArgumentException(source + ": a component without a name or implementation class");
            }
            properties.putIfAbsent("component.name", name);
            return new ComponentDescriptor(name, implementation, !"false".equals(attributes.get("enabled")),
                    attributes.getOrDefault("configuration-policy", "optional"), attributes.get("factory"),
                    attributes.getOrDefault("activate", "activate"),
                    attributes.getOrDefault("deactivate", "deactivate"),
                    Integer.parseInt(attributes.getOrDefault("init", "0")), List.copyOf(services), properties,
                    List.copyOf(references));
        }
    }
}
