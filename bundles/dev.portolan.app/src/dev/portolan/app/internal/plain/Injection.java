package dev.portolan.app.internal.plain;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.portolan.app.internal.plain.ComponentDescriptor.Reference;

/** The reflective part of DS on a plain class path: constructors, reference fields, bind and lifecycle methods. */
final class Injection {

    /** A descriptor asks for something only a real OSGi framework can give (a BundleContext, a configuration…). */
    static final class UnsupportedException extends Exception {
        private static final long serialVersionUID = 1L;

        UnsupportedException(String message) {
            super(message);
        }
    }

    private Injection() {
    }

    /** The constructor DS would use: no arguments, or {@code init} arguments (DS 1.4 constructor injection). */
    static Constructor<?> constructor(Class<?> type, ComponentDescriptor d)
            throws NoSuchMethodException, UnsupportedException {
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (c.getParameterCount() != d.init()) {
                continue;
            }
            Class<?>[] types = c.getParameterTypes();
            for (int i = 0; i < types.length; i++) {
                if (types[i] != Map.class && reference(d, i) == null) {
                    throw new UnsupportedException("constructor parameter " + i + " is a " + types[i].getName()
                            + ", which only an OSGi framework provides");
                }
            }
            c.setAccessible(true);
            return c;
        }
        throw new NoSuchMethodException(type.getName() + " has no constructor with " + d.init() + " parameters");
    }

    private static Reference reference(ComponentDescriptor d, int parameter) {
        for (Reference r : d.references()) {
            if (r.parameter() != null && r.parameter() == parameter) {
                return r;
            }
        }
        return null;
    }

    /** A new instance through {@code c}, with the references' values (service, null or list) as arguments. */
    static Object construct(Constructor<?> c, ComponentDescriptor d, Map<Reference, Object> values)
            throws ReflectiveOperationException {
        Object[] args = new Object[c.getParameterCount()];
        for (int i = 0; i < args.length; i++) {
            Reference r = reference(d, i);
            args[i] = r == null ? d.properties() : values.get(r);
        }
        return c.newInstance(args);
    }

    /**
     * Binds one reference: sets its field or calls its bind method once per service. {@code value} is the service,
     * null, or (multiple) the list of services; {@code providers} give the service properties to bind methods.
     */
    static void bind(Object o, Reference r, Object value, List<ManagedComponent> providers)
            throws ReflectiveOperationException, UnsupportedException {
        if (r.field() != null) {
            Field f = field(o.getClass(), r.field());
            if (!r.multiple()) {
                f.set(o, value);
            } else if (!"service".equals(r.fieldCollectionType())) {
                throw new UnsupportedException("field-collection-type " + r.fieldCollectionType());
            } else if (f.get(o) instanceof Collection<?> c && ("update".equals(r.fieldOption())
                    || c instanceof CopyOnWriteArrayList<?>)) {
                @SuppressWarnings("unchecked")
                Collection<Object> target = (Collection<Object>) c;
                target.addAll((List<?>) value);
            } else {
                f.set(o, new CopyOnWriteArrayList<>((List<?>) value));
            }
        }
        if (r.bind() != null) {
            for (ManagedComponent p : providers) {
                callBind(o, r, p);
            }
        }
    }

    /** Fails when {@code r} has a bind method this runtime cannot call: neither (service) nor (service, Map). */
    static void checkBind(Class<?> type, Reference r) throws UnsupportedException {
        if (r.bind() == null) {
            return;
        }
        for (Method m : methods(type, r.bind())) {
            Class<?>[] t = m.getParameterTypes();
            if (t.length == 1 && t[0].getName().equals(r.service())
                    || t.length == 2 && t[0].getName().equals(r.service()) && t[1] == Map.class) {
                return;
            }
        }
        throw new UnsupportedException("bind method " + r.bind() + " of reference '" + r.name()
                + "' takes neither (" + r.service() + ") nor (" + r.service() + ", Map)");
    }

    private static void callBind(Object o, Reference r, ManagedComponent provider)
            throws ReflectiveOperationException, UnsupportedException {
        for (Method m : methods(o.getClass(), r.bind())) {
            Class<?>[] t = m.getParameterTypes();
            Object service = provider.instance();
            if (t.length == 1 && t[0].isInstance(service)) {
                invoke(m, o, service);
                return;
            }
            if (t.length == 2 && t[0].isInstance(service) && t[1] == Map.class) {
                invoke(m, o, service, provider.serviceProperties());
                return;
            }
        }
        throw new UnsupportedException("bind method " + r.bind() + " of reference '" + r.name()
                + "' takes neither (service) nor (service, Map)");
    }

    /**
     * The activate/deactivate method named {@code name}, or null when the class has none. As SCR does (DS 112.5.8),
     * a method with parameters is preferred to the no-argument one; its parameters may be the component properties
     * ({@code Map}) or the deactivation reason ({@code int}); a context or configuration parameter needs a framework.
     */
    static Method lifecycle(Class<?> type, String name) throws UnsupportedException {
        List<Method> candidates = methods(type, name);
        if (candidates.isEmpty()) {
            return null;
        }
        // (a lambda of this class: the JDK's Comparator.comparingInt spins its own at run time, outside the archive)
        candidates.sort((a, b) -> Boolean.compare(a.getParameterCount() == 0, b.getParameterCount() == 0));
        Method m = candidates.get(0);
        for (Class<?> t : m.getParameterTypes()) {
            if (t != Map.class && t != int.class && t != Integer.class) {
                throw new UnsupportedException(type.getName() + "." + name + " takes a " + t.getSimpleName()
                        + ", which only an OSGi framework provides");
            }
        }
        m.setAccessible(true);
        return m;
    }

    /** Calls a {@link #lifecycle} method (null: nothing to call). */
    static void call(Method m, Object o, Map<String, Object> properties, int reason)
            throws ReflectiveOperationException {
        if (m == null) {
            return;
        }
        Class<?>[] t = m.getParameterTypes();
        Object[] args = new Object[t.length];
        for (int i = 0; i < t.length; i++) {
            args[i] = t[i] == Map.class ? properties : Integer.valueOf(reason);
        }
        m.invoke(o, args);
    }

    private static void invoke(Method m, Object o, Object... args) throws ReflectiveOperationException {
        m.setAccessible(true);
        m.invoke(o, args);
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getName().equals(name)) {
                    f.setAccessible(true);
                    return f;
                }
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }

    private static List<Method> methods(Class<?> type, String name) {
        List<Method> out = new java.util.ArrayList<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(name)) {
                    out.add(m);
                }
            }
        }
        return out;
    }
}
