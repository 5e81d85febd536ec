package dev.dynamo.runtime.internal.instrumentation;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Defines, for one library's source interface ({@code org.reactivestreams.Publisher}, RxJava's
 * {@code SingleSource}, ...: one abstract method, {@code subscribe(subscriber)}), a class that
 * implements it, and {@code BiConsumer}, as:
 *
 * <pre>{@code
 * public void subscribe(Subscriber subscriber) {
 *     handler.accept(this, subscriber);           // FirstSubscription
 * }
 *
 * public void accept(Object target, Object subscriber) {
 *     ((Publisher) target).subscribe((Subscriber) subscriber);
 * }
 * }</pre>
 *
 * <p>So the handler's frame is around the subscription, and the subscription is a direct call. With a
 * direct interface (Reactor's {@code CorePublisher}), {@code accept} calls its {@code subscribe} when
 * the subscriber is of its type ({@code CoreSubscriber}), as Reactor's own operators do: the public
 * {@code subscribe(Subscriber)} would run the last-operator hooks and the subscriber's conversion a
 * second time for the same subscription.
 *
 * <p>Written out here, not a {@code java.lang.reflect.Proxy}: every subscription of a value that a
 * handler returned carries these frames, and so does each level of a recursion through such values,
 * all on one stack. A proxy and the reflective call behind it put six frames there; this class puts
 * two and the handler one (a Mono recursion, cold, on a 1 MiB stack: 390–414 levels through a proxy,
 * 438–560 through this class, 470–585 through the {@code defer} before; see reliability.md). Its
 * field is a JDK type, so the class links in any class loader: it is defined in a loader of its own
 * whose parent is the interface's.
 *
 * <p>Class file version 49 (Java 5), which needs no stack map frames.
 */
final class SubscribingSource {
    /** The generated class's name: a package of the API's own, which no library or application has. */
    private static final String NAME = "dev/dynamo/runtime/internal/generated/SubscribingSource";
    private static final String BI_CONSUMER = "java/util/function/BiConsumer";
    private static final String ACCEPT_DESCRIPTOR = "(Ljava/lang/Object;Ljava/lang/Object;)V";
    private static final int ACC_PUBLIC = 0x0001;
    private static final int ACC_FINAL = 0x0010;
    private static final int ACC_PRIVATE = 0x0002;
    private static final int ACC_SUPER = 0x0020;
    /** Bytes that {@link #writeSubscribeCall} writes. */
    private static final int SUBSCRIBE_CALL_LENGTH = 14;

    private SubscribingSource() {
    }

    /**
     * The constructor, taking the {@code BiConsumer} handler, of a class implementing
     * {@code sourceInterface} as above, defined and initialised.
     *
     * @param directInterface a sub-interface of {@code sourceInterface} that every value to subscribe
     *                        implements, whose own {@code subscribe} to call for subscribers of its type; or null
     * @throws NoSuchMethodException when the interface's one abstract method is not a one-argument {@code subscribe}
     */
    static Constructor<?> define(Class<?> sourceInterface, Class<?> directInterface) throws ReflectiveOperationException {
        Method subscribe = subscribeMethod(sourceInterface);
        Method direct = directInterface == null ? null : subscribeMethod(directInterface);
        byte[] bytes;
        try {
            bytes = classFile(internalName(sourceInterface), internalName(subscribe.getParameterTypes()[0]),
                    direct == null ? null : internalName(directInterface),
                    direct == null ? null : internalName(direct.getParameterTypes()[0]));
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible); // a ByteArrayOutputStream does not throw
        }
        Class<?> defined = new DefiningLoader(sourceInterface.getClassLoader()).define(NAME.replace('/', '.'), bytes);
        // Verified, linked and initialised here, where the cache computes it, rather than at a subscription.
        Class.forName(defined.getName(), true, defined.getClassLoader());
        return defined.getConstructor(BiConsumer.class);
    }

    /** The interface's one abstract method, {@code void subscribe(T)} (of its own, where it has one). */
    private static Method subscribeMethod(Class<?> sourceInterface) throws NoSuchMethodException {
        Method found = null;
        for (Method method : sourceInterface.getMethods()) {
            if (Modifier.isAbstract(method.getModifiers()) && method.getDeclaringClass() == sourceInterface) {
                if (found != null) {
                    throw new NoSuchMethodException(sourceInterface.getName() + " has more than one abstract method");
                }
                found = method;
            }
        }
        if (found == null || !found.getName().equals("subscribe") || found.getParameterCount() != 1
                || found.getReturnType() != void.class || found.getParameterTypes()[0].isPrimitive()
                || found.getParameterTypes()[0].isArray()) {
            throw new NoSuchMethodException(sourceInterface.getName() + ".subscribe(subscriber)");
        }
        return found;
    }

    private static String internalName(Class<?> type) {
        return type.getName().replace('.', '/');
    }

    /**
     * The class file: the class, its field, its constructor, {@code subscribe} and {@code accept};
     * {@code directInterface} and {@code directSubscriberType} null for none.
     */
    static byte[] classFile(String sourceInterface, String subscriberType, String directInterface,
            String directSubscriberType) throws IOException {
        ConstantPool pool = new ConstantPool();
        int thisClass = pool.classRef(NAME);
        int objectClass = pool.classRef("java/lang/Object");
        int interfaceClass = pool.classRef(sourceInterface);
        int biConsumerClass = pool.classRef(BI_CONSUMER);
        int subscriberClass = pool.classRef(subscriberType);
        int handler = pool.fieldRef(NAME, "handler", "L" + BI_CONSUMER + ";");
        int objectInit = pool.methodRef("java/lang/Object", "<init>", "()V", false);
        int handlerAccept = pool.methodRef(BI_CONSUMER, "accept", ACCEPT_DESCRIPTOR, true);
        int subscribe = pool.methodRef(sourceInterface, "subscribe", "(L" + subscriberType + ";)V", true);
        int handlerName = pool.utf8("handler");
        int biConsumerDescriptor = pool.utf8("L" + BI_CONSUMER + ";");
        int initName = pool.utf8("<init>");
        int initDescriptor = pool.utf8("(L" + BI_CONSUMER + ";)V");
        int subscribeName = pool.utf8("subscribe");
        int subscribeDescriptor = pool.utf8("(L" + subscriberType + ";)V");
        int acceptName = pool.utf8("accept");
        int acceptDescriptor = pool.utf8(ACCEPT_DESCRIPTOR);
        int code = pool.utf8("Code");

        ByteArrayOutputStream constructor = new ByteArrayOutputStream();
        DataOutputStream init = new DataOutputStream(constructor);
        init.writeByte(0x2a); // aload_0
        init.writeByte(0xb7); // invokespecial Object.<init>
        init.writeShort(objectInit);
        init.writeByte(0x2a); // aload_0
        init.writeByte(0x2b); // aload_1
        init.writeByte(0xb5); // putfield handler
        init.writeShort(handler);
        init.writeByte(0xb1); // return

        ByteArrayOutputStream subscribeCode = new ByteArrayOutputStream();
        DataOutputStream toHandler = new DataOutputStream(subscribeCode);
        toHandler.writeByte(0x2a); // aload_0
        toHandler.writeByte(0xb4); // getfield handler
        toHandler.writeShort(handler);
        toHandler.writeByte(0x2a); // aload_0
        toHandler.writeByte(0x2b); // aload_1
        toHandler.writeByte(0xb9); // invokeinterface BiConsumer.accept(this, subscriber)
        toHandler.writeShort(handlerAccept);
        toHandler.writeByte(3);
        toHandler.writeByte(0);
        toHandler.writeByte(0xb1); // return

        ByteArrayOutputStream acceptCode = new ByteArrayOutputStream();
        DataOutputStream accept = new DataOutputStream(acceptCode);
        if (directInterface != null) {
            int directClass = pool.classRef(directInterface);
            int directSubscriberClass = pool.classRef(directSubscriberType);
            int directSubscribe = pool.methodRef(directInterface, "subscribe", "(L" + directSubscriberType + ";)V", true);
            accept.writeByte(0x2c); // 0: aload_2
            accept.writeByte(0xc1); // 1: instanceof the direct subscriber type
            accept.writeShort(directSubscriberClass);
            accept.writeByte(0x99); // 4: ifeq to the plain call, after the direct one
            accept.writeShort(3 + SUBSCRIBE_CALL_LENGTH);
            writeSubscribeCall(accept, directClass, directSubscriberClass, directSubscribe); // 7
        }
        writeSubscribeCall(accept, interfaceClass, subscriberClass, subscribe);

        ByteArrayOutputStream file = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(file);
        out.writeInt(0xCAFEBABE);
        out.writeShort(0); // minor
        out.writeShort(49); // major: Java 5, verified without stack map frames
        pool.writeTo(out);
        out.writeShort(ACC_PUBLIC | ACC_FINAL | ACC_SUPER);
        out.writeShort(thisClass);
        out.writeShort(objectClass);
        out.writeShort(2);
        out.writeShort(interfaceClass);
        out.writeShort(biConsumerClass);

        out.writeShort(1); // fields
        out.writeShort(ACC_PRIVATE | ACC_FINAL);
        out.writeShort(handlerName);
        out.writeShort(biConsumerDescriptor);
        out.writeShort(0);

        out.writeShort(3); // methods
        writeMethod(out, ACC_PUBLIC, initName, initDescriptor, code, 2, 2, constructor.toByteArray());
        writeMethod(out, ACC_PUBLIC, subscribeName, subscribeDescriptor, code, 3, 2, subscribeCode.toByteArray());
        writeMethod(out, ACC_PUBLIC, acceptName, acceptDescriptor, code, 2, 3, acceptCode.toByteArray());
        out.writeShort(0); // class attributes
        out.flush();
        return file.toByteArray();
    }

    /**
     * {@code ((Source) target).subscribe((Subscriber) subscriber); return;} of {@code accept(target,
     * subscriber)}, for the constant pool's source class, subscriber class and {@code subscribe}.
     */
    private static void writeSubscribeCall(DataOutputStream code, int sourceClass, int subscriberClass, int subscribe)
            throws IOException {
        code.writeByte(0x2b); // aload_1
        code.writeByte(0xc0); // checkcast the source type
        code.writeShort(sourceClass);
        code.writeByte(0x2c); // aload_2
        code.writeByte(0xc0); // checkcast the subscriber type
        code.writeShort(subscriberClass);
        code.writeByte(0xb9); // invokeinterface subscribe
        code.writeShort(subscribe);
        code.writeByte(2);
        code.writeByte(0);
        code.writeByte(0xb1); // return
    }

    /** A method with a {@code Code} attribute, no exception handler. */
    private static void writeMethod(DataOutputStream out, int access, int name, int descriptor, int codeName,
            int maxStack, int maxLocals, byte[] code) throws IOException {
        out.writeShort(access);
        out.writeShort(name);
        out.writeShort(descriptor);
        out.writeShort(1);
        out.writeShort(codeName);
        out.writeInt(2 + 2 + 4 + code.length + 2 + 2);
        out.writeShort(maxStack);
        out.writeShort(maxLocals);
        out.writeInt(code.length);
        out.write(code);
        out.writeShort(0); // exception table
        out.writeShort(0); // code attributes
    }

    /** A class file's constant pool: UTF-8 strings, classes and member references, each entry added once. */
    private static final class ConstantPool {
        private static final int UTF8 = 1;
        private static final int CLASS = 7;
        private static final int FIELD = 9;
        private static final int METHOD = 10;
        private static final int INTERFACE_METHOD = 11;
        private static final int NAME_AND_TYPE = 12;

        private final List<Object[]> entries = new ArrayList<Object[]>();

        int utf8(String value) {
            return add(new Object[] {UTF8, value});
        }

        int classRef(String internalName) {
            return add(new Object[] {CLASS, utf8(internalName)});
        }

        int fieldRef(String owner, String name, String descriptor) {
            return add(new Object[] {FIELD, classRef(owner), nameAndType(name, descriptor)});
        }

        int methodRef(String owner, String name, String descriptor, boolean onInterface) {
            return add(new Object[] {onInterface ? INTERFACE_METHOD : METHOD, classRef(owner), nameAndType(name, descriptor)});
        }

        private int nameAndType(String name, String descriptor) {
            return add(new Object[] {NAME_AND_TYPE, utf8(name), utf8(descriptor)});
        }

        private int add(Object[] entry) {
            for (int i = 0; i < entries.size(); i++) {
                if (Arrays.equals(entries.get(i), entry)) {
                    return i + 1;
                }
            }
            entries.add(entry);
            return entries.size();
        }

        void writeTo(DataOutputStream out) throws IOException {
            out.writeShort(entries.size() + 1);
            for (Object[] entry : entries) {
                int tag = (Integer) entry[0];
                out.writeByte(tag);
                if (tag == UTF8) {
                    out.writeUTF((String) entry[1]);
                } else {
                    for (int i = 1; i < entry.length; i++) {
                        out.writeShort((Integer) entry[i]);
                    }
                }
            }
        }
    }

    /** Defines the one generated class for one source interface's loader. */
    private static final class DefiningLoader extends ClassLoader {
        DefiningLoader(ClassLoader parent) {
            super(parent);
        }

        /**
         * Defined with the API's own protection domain (all permissions for its bootstrap copy): under a
         * SecurityManager every frame's domain counts, and this class's frame is below everything the
         * subscription does. With a loader's default domain (a code source of no location), a file read
         * the policy grants the application was denied inside its Mono, Single and Uni
         * (SecurityManagerIT).
         */
        Class<?> define(String name, byte[] bytes) {
            return defineClass(name, bytes, 0, bytes.length, SubscribingSource.class.getProtectionDomain());
        }
    }
}
