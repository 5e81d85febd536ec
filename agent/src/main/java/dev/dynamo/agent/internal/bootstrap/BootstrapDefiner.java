package dev.dynamo.agent.internal.bootstrap;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Defines classes in the bootstrap class loader through the JVM's internal {@code Unsafe}: on Java
 * 8 here, on Java 9 and later through {@code ModuleDefiner}, which uses the rounds below. Uses JDK
 * types only, because on Java 9+ it is loaded by an isolated class loader of its own (see
 * {@link BootstrapApi}), which holds no other class of the agent.
 */
public final class BootstrapDefiner {
    private BootstrapDefiner() {
    }

    /**
     * Java 8: defines every class through {@code sun.misc.Unsafe}.
     *
     * <p>Calls {@code defineClass} through a method handle, not {@code Method.invoke}: after 15
     * reflective calls the JDK generates an accessor class for the method, which costs more at start
     * than the hundred-odd calls themselves.
     */
    static void defineAll(Object unsafe, Class<?> unsafeType, Map<String, byte[]> classes) throws Throwable {
        final MethodHandle define = MethodHandles.lookup().findVirtual(unsafeType, "defineClass",
                MethodType.methodType(Class.class, String.class, byte[].class, int.class, int.class,
                        ClassLoader.class, ProtectionDomain.class)).bindTo(unsafe);
        defineAll(classes, new Function<Map.Entry<String, byte[]>, Class<?>>() {
            @Override
            public Class<?> apply(Map.Entry<String, byte[]> entry) {
                byte[] bytes = entry.getValue();
                try {
                    return (Class<?>) define.invokeExact(entry.getKey(), bytes, 0, bytes.length, (ClassLoader) null,
                            (ProtectionDomain) null);
                } catch (RuntimeException | Error thrown) {
                    throw thrown;
                } catch (Throwable impossible) {
                    throw new IllegalStateException(impossible);
                }
            }
        });
    }

    /**
     * Defines every class with {@code define}, each after its supertypes, as read from each class
     * file's header, so that no definition fails for a supertype not defined yet (each such failure
     * is an exception and a wasted parse). A class whose supertype is still missing (a header this
     * reader gets wrong) fails with {@link NoClassDefFoundError} and is tried again in the next round.
     * On Java 9 and later {@code ModuleDefiner} calls this from the isolated loader: JDK types only.
     */
    static void defineAll(Map<String, byte[]> classes, Function<Map.Entry<String, byte[]>, Class<?>> define) {
        Map<String, byte[]> pending = supertypesFirst(classes);
        while (!pending.isEmpty()) {
            List<String> defined = new ArrayList<String>();
            Throwable lastFailure = null;
            for (Map.Entry<String, byte[]> entry : pending.entrySet()) {
                try {
                    defined.add(define.apply(entry).getName());
                } catch (NoClassDefFoundError supertypeMissing) {
                    lastFailure = supertypeMissing;
                }
            }
            if (defined.isEmpty()) {
                throw new IllegalStateException("cannot define " + pending.keySet() + " in the bootstrap loader",
                        lastFailure);
            }
            for (String name : defined) {
                pending.remove(name);
            }
        }
    }

    /** {@code classes} in an order where each comes after those of its supertypes that are among them. */
    static Map<String, byte[]> supertypesFirst(Map<String, byte[]> classes) {
        Map<String, byte[]> ordered = new LinkedHashMap<String, byte[]>();
        for (String name : classes.keySet()) {
            addSupertypesFirst(name, classes, ordered);
        }
        return ordered;
    }

    /** Adds class {@code name} to {@code ordered} after those of its supertypes that are in {@code classes}. */
    private static void addSupertypesFirst(String name, Map<String, byte[]> classes, Map<String, byte[]> ordered) {
        byte[] bytes = classes.get(name);
        if (bytes == null || ordered.containsKey(name)) {
            return;
        }
        List<String> supertypes;
        try {
            supertypes = supertypes(bytes);
        } catch (RuntimeException unreadable) {
            supertypes = new ArrayList<String>(); // defined in the rounds above instead
        }
        for (String supertype : supertypes) {
            if (!supertype.equals(name)) {
                addSupertypesFirst(supertype, classes, ordered);
            }
        }
        ordered.put(name, bytes);
    }

    /**
     * The binary names of the superclass and the interfaces of class file {@code bytes}: the constant
     * pool is walked only to find where it ends and where its class names are.
     */
    static List<String> supertypes(byte[] bytes) {
        int count = unsignedShort(bytes, 8);
        int[] offsets = new int[count];
        int offset = 10;
        for (int index = 1; index < count; index++) {
            offsets[index] = offset;
            int tag = bytes[offset] & 0xFF;
            switch (tag) {
                case 1: // Utf8
                    offset += 3 + unsignedShort(bytes, offset + 1);
                    break;
                case 5: // Long
                case 6: // Double: both take two entries
                    offset += 9;
                    index++;
                    break;
                case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18:
                    offset += 5;
                    break;
                case 7: case 8: case 16: case 19: case 20:
                    offset += 3;
                    break;
                case 15: // MethodHandle
                    offset += 4;
                    break;
                default:
                    throw new IllegalArgumentException("unknown constant pool tag " + tag);
            }
        }
        List<String> names = new ArrayList<String>();
        int superclass = unsignedShort(bytes, offset + 4);
        if (superclass != 0) {
            names.add(className(bytes, offsets, superclass));
        }
        int interfaces = unsignedShort(bytes, offset + 6);
        for (int i = 0; i < interfaces; i++) {
            names.add(className(bytes, offsets, unsignedShort(bytes, offset + 8 + 2 * i)));
        }
        return names;
    }

    /** The binary name of CONSTANT_Class entry {@code index}; the API's class names are ASCII. */
    private static String className(byte[] bytes, int[] offsets, int index) {
        int utf8 = offsets[unsignedShort(bytes, offsets[index] + 1)];
        return new String(bytes, utf8 + 3, unsignedShort(bytes, utf8 + 1), StandardCharsets.UTF_8).replace('/', '.');
    }

    private static int unsignedShort(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF);
    }
}
