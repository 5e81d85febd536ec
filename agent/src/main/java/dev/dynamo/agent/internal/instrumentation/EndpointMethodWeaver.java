package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.internal.bridge.WovenMember;
import dev.dynamo.runtime.internal.instrumentation.PublisherCalls;
import dev.dynamo.runtime.internal.instrumentation.StreamObserverCalls;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import java.util.ArrayList;
import java.util.List;

/**
 * Weaves the measurement into one annotated method, as if written by hand:
 *
 * <pre>{@code
 * long start = WovenCalls.enter(ID);        // if this call fails: start = NOT_STARTED
 * try {
 *     ...the method, where each return first calls the exit of its shape:
 *     WovenCalls.exit(ID, start); return value;
 * } catch (Throwable thrown) {
 *     WovenCalls.exitThrown(thrown, ID, start);
 *     throw thrown;                                  // the same object
 * }
 * }</pre>
 *
 * One local (the start time, a long) is added after the method's own; nothing else stays on the
 * stack of a frame, so deep recursion loses as little depth as possible. Where the stack is so
 * exhausted that a call of an exit cannot even be made, the woven code counts the exit in
 * {@code WovenCalls.UNRECORDED_EXITS} with plain array writes and goes on as the method
 * would: it returns the value or rethrows the exception. Returned values and caught exceptions are
 * kept in locals the method no longer uses (its first after {@code this}), so that no other slot is
 * added; the local variable table leaves a variable of that slot out from where a value is kept
 * there to its return, so that a debugger shows neither {@code this} nor a parameter wrongly.
 *
 * <p>The handler styles enter, return and throw through their own recording class with the same
 * layout ({@link #enter}, {@link #exitOnReturn}, {@link #exitThrown}): a suspend function passes its
 * continuation and then runs with the proxy that {@code SuspendCalls.continuation} gives it; a
 * publisher method returns what {@code PublisherCalls.exit} makes of its publisher; a gRPC handler
 * passes its response observer; a JAX-RS method passes its {@code AsyncResponse} and then runs with
 * the proxy that {@code AsyncResponseCalls.watch} gives it. Their returns are guarded the same way, with the value parked in a
 * slot of its own after the start time (the parameter they watch may be in slot 0), and where the
 * exit cannot be called the woven code counts an unrecorded exit only for a call the exit would have
 * ended: not for a suspend function that suspended (its continuation ends it), a gRPC call that its
 * observer ends ({@code StreamObserverCalls.TRACKED}), a JAX-RS call its response's end ends (the same
 * value), or a publisher (counted at subscription).
 *
 * <p>Stack map frames are written by hand, so that no class is ever loaded to compute them: the
 * method's own frames gain the start time, and each handler gets a full frame holding only what it
 * uses. Needs the class read with {@code EXPAND_FRAMES} and written with {@code COMPUTE_MAXS}.
 */
final class EndpointMethodWeaver extends MethodVisitor {
    /**
     * The most local variable slots weaving adds after the method's own: the start time (a long),
     * then for some shapes a parked value of up to two slots.
     */
    static final int MAX_ADDED_LOCALS = 4;
    private static final String CONTINUATION = "kotlin/coroutines/Continuation";
    private static final String THROWABLE = "java/lang/Throwable";

    private final String owner;
    private final int access;
    private final String descriptor;
    private final int id;
    private final MethodShape shape;
    /** For {@link MethodShape#SUSPEND}: the binary name of the function's state-machine class, or null. */
    private final String stateMachine;
    /** The local slot of the parameter the shape watches (continuation, response observer); -1 if none. */
    private final int watchedSlot;
    private final Object watchedType;
    private final boolean writeFrames;
    private final boolean countUnrecorded;
    /** The method's own {@code max_locals}: the start time goes right after. */
    private final int startSlot;
    private final Type returnType;
    /** Where a returned value waits while its exit is called: a slot the returning method no longer uses. */
    private final int valueSlot;
    /** Where a thrown exception waits while its exit is called. */
    private final int throwableSlot;

    private final Label enterStart = new Label();
    private final Label enterEnd = new Label();
    private final Label body = new Label();
    private final Label bodyEnd = new Label();
    private final Label exitThrownStart = new Label();
    private final Label exitThrownEnd = new Label();
    /** Around the call that gives the method the proxy of its watched parameter (a continuation, an AsyncResponse). */
    private final Label continuationStart = new Label();
    private final Label continuationEnd = new Label();
    /** Start and end label of each guarded exit call before a return. */
    private final List<Label> returnExits = new ArrayList<Label>();
    /**
     * Where a returned value waits in {@link #valueSlot}, one of the method's own: from its store to
     * after the return, in pairs. The local variable table leaves those slots' variables out there,
     * so that a debugger does not show the value as one of them.
     */
    private final List<Label> parkedValues = new ArrayList<Label>();
    /** The method's own try blocks; an exit inside one of them is left unguarded (see exitOnReturn). */
    private final List<Label> ownTryStarts = new ArrayList<Label>();
    private final List<Label> ownTryEnds = new ArrayList<Label>();
    private int openOwnTries;

    EndpointMethodWeaver(MethodVisitor target, String owner, int access, String descriptor, int id,
            MethodShape shape, String stateMachine, int maxLocals, boolean writeFrames) {
        super(Opcodes.ASM9, target);
        this.owner = owner;
        this.access = access;
        this.descriptor = descriptor;
        this.id = id;
        this.shape = shape;
        this.stateMachine = stateMachine;
        this.writeFrames = writeFrames;
        // A publisher's request is counted at its subscription, a future's at its exit, not on entry:
        // no exit to make up for.
        this.countUnrecorded = shape != MethodShape.PUBLISHER && shape != MethodShape.FUTURE;
        this.startSlot = maxLocals;
        this.returnType = Type.getReturnType(descriptor);
        // The handler shapes' exits read the watched parameter, which may be in slot 0: their value
        // waits in a slot of its own, after the start time.
        // Never slot 0 of an instance method: a debugger reads `this` there whatever the tables say.
        int firstOwnSlot = (access & Opcodes.ACC_STATIC) == 0 ? 1 : 0;
        boolean ownParameterFree = shape == MethodShape.SYNCHRONOUS || shape == MethodShape.COMPLETION_STAGE;
        this.valueSlot = ownParameterFree && maxLocals - firstOwnSlot >= returnType.getSize() ? firstOwnSlot
                : maxLocals + 2;
        int watched = shape.watchedParameter(descriptor);
        this.watchedSlot = watched < 0 ? -1 : parameterSlot(access, descriptor, watched);
        // Only the handlers of these shapes read the watched parameter, so only their frames name it.
        this.watchedType = shape != MethodShape.STREAM_OBSERVER && shape != MethodShape.ASYNC_RESPONSE ? null
                : frameType(Type.getArgumentTypes(descriptor)[watched]);
        // The observer's handler reads the observer after keeping the exception: never in the same slot.
        this.throwableSlot = maxLocals - firstOwnSlot >= 1 && watchedSlot != firstOwnSlot ? firstOwnSlot
                : maxLocals + 2;
    }

    private static int parameterSlot(int access, String descriptor, int index) {
        int slot = (access & Opcodes.ACC_STATIC) == 0 ? 1 : 0;
        Type[] parameters = Type.getArgumentTypes(descriptor);
        for (int i = 0; i < index; i++) {
            slot += parameters[i].getSize();
        }
        return slot;
    }

    @Override
    public void visitCode() {
        super.visitCode();
        super.visitLabel(enterStart);
        enter();
        super.visitLabel(enterEnd);
        super.visitVarInsn(Opcodes.LSTORE, startSlot);
        if (replacesWatchedParameter()) {
            // continuation = SuspendCalls.continuation(continuation, id, start): the proxy that ends the call;
            // response = AsyncResponseCalls.watch(response, id, start): the proxy that notes the answer.
            boolean suspend = shape == MethodShape.SUSPEND;
            super.visitLabel(continuationStart);
            super.visitVarInsn(Opcodes.ALOAD, watchedSlot);
            pushId();
            super.visitVarInsn(Opcodes.LLOAD, startSlot);
            invoke(suspend ? WovenMember.SUSPEND_CONTINUATION : WovenMember.ASYNC_RESPONSE_WATCH);
            super.visitTypeInsn(Opcodes.CHECKCAST, suspend ? CONTINUATION
                    : Type.getArgumentTypes(descriptor)[shape.watchedParameter(descriptor)].getInternalName());
            super.visitVarInsn(Opcodes.ASTORE, watchedSlot);
            super.visitLabel(continuationEnd);
        }
        super.visitLabel(body);
        frame(bodyLocals(), null);
        // Keeps this frame apart from one the method may have at its first instruction.
        super.visitInsn(Opcodes.NOP);
    }

    /** Whether the method runs with a proxy of its watched parameter: a suspend function's continuation, an AsyncResponse. */
    private boolean replacesWatchedParameter() {
        return shape == MethodShape.SUSPEND || shape == MethodShape.ASYNC_RESPONSE;
    }

    /** Pushes the start of the call: the one place where shapes differ in how a call starts. */
    private void enter() {
        pushId();
        switch (shape) {
            case SUSPEND:
                // Resumptions of the function's own state machine are not calls: they get NOT_STARTED.
                super.visitVarInsn(Opcodes.ALOAD, watchedSlot);
                if (stateMachine == null) {
                    super.visitInsn(Opcodes.ACONST_NULL);
                } else {
                    super.visitLdcInsn(stateMachine);
                }
                invoke(WovenMember.SUSPEND_ENTER);
                break;
            case PUBLISHER:
            case FUTURE:
                invoke(WovenMember.PUBLISHER_ENTER);
                break;
            case STREAM_OBSERVER:
            case ASYNC_RESPONSE:
                // The two shapes that pass the object they answer through, in the same layout.
                super.visitVarInsn(Opcodes.ALOAD, watchedSlot);
                invoke(shape == MethodShape.STREAM_OBSERVER ? WovenMember.OBSERVER_ENTER
                        : WovenMember.ASYNC_RESPONSE_ENTER);
                break;
            default:
                invoke(WovenMember.ENTER);
        }
    }

    @Override
    public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
        ownTryStarts.add(start);
        ownTryEnds.add(end);
        super.visitTryCatchBlock(start, end, handler, type);
    }

    @Override
    public void visitLabel(Label label) {
        for (Label start : ownTryStarts) {
            if (start == label) {
                openOwnTries++;
            }
        }
        for (Label end : ownTryEnds) {
            if (end == label) {
                openOwnTries--;
            }
        }
        super.visitLabel(label);
    }

    @Override
    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
        if (type != Opcodes.F_NEW) {
            throw new IllegalStateException("the weaver needs expanded frames");
        }
        Object[] slots = new Object[startSlot + 2];
        int slot = 0;
        for (int i = 0; i < numLocal; i++) {
            slots[slot] = local[i];
            slot += size(local[i]);
        }
        slots[startSlot] = Opcodes.LONG;
        Object[] locals = frameLocals(slots);
        super.visitFrame(Opcodes.F_NEW, locals.length, locals, numStack, stack);
    }

    @Override
    public void visitInsn(int opcode) {
        if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
            boolean parked = exitOnReturn(opcode);
            super.visitInsn(opcode);
            if (parked) {
                Label returned = new Label();
                super.visitLabel(returned);
                parkedValues.add(returned);
            }
            return;
        }
        super.visitInsn(opcode);
    }

    /** Each variable of a slot where a returned value waits is left out from its store to its return. */
    @Override
    public void visitLocalVariable(String name, String descriptor, String signature, Label start, Label end,
            int index) {
        int size = descriptor.equals("J") || descriptor.equals("D") ? 2 : 1;
        boolean overlaps = !parkedValues.isEmpty() && index < valueSlot + returnType.getSize()
                && valueSlot < index + size;
        Label from = start;
        if (overlaps) {
            for (int i = 0; i < parkedValues.size(); i += 2) {
                Label parked = parkedValues.get(i);
                Label returned = parkedValues.get(i + 1);
                if (parked.getOffset() >= from.getOffset() && returned.getOffset() <= end.getOffset()) {
                    if (parked.getOffset() > from.getOffset()) {
                        super.visitLocalVariable(name, descriptor, signature, from, parked, index);
                    }
                    from = returned;
                }
            }
        }
        if (from.getOffset() < end.getOffset() || !overlaps) {
            super.visitLocalVariable(name, descriptor, signature, from, end, index);
        }
    }

    /**
     * The exit before a return, by the method's shape: the one place where shapes differ. The
     * returned value waits in {@link #valueSlot} while the exit is called, so that the handler can
     * still return it when the call cannot be made; inside one of the method's own try blocks (not
     * javac's way) the value stays on the operand stack, because that block's handler may read the
     * slot.
     */
    private boolean exitOnReturn(int returnOpcode) {
        boolean guarded = openOwnTries == 0;
        boolean returnsValue = returnOpcode != Opcodes.RETURN;
        Label start = new Label();
        Label end = new Label();
        boolean parkedInOwnSlot = guarded && returnsValue && valueSlot < startSlot;
        if (parkedInOwnSlot) {
            Label parked = new Label();
            super.visitLabel(parked);
            parkedValues.add(parked);
        }
        if (guarded && returnsValue) {
            super.visitVarInsn(returnType.getOpcode(Opcodes.ISTORE), valueSlot);
        }
        super.visitLabel(start);
        switch (shape) {
            case SYNCHRONOUS:
                pushId();
                super.visitVarInsn(Opcodes.LLOAD, startSlot);
                invoke(WovenMember.EXIT);
                break;
            case COMPLETION_STAGE:
                loadValue(guarded);
                pushId();
                super.visitVarInsn(Opcodes.LLOAD, startSlot);
                invoke(WovenMember.EXIT_STAGE);
                break;
            case SUSPEND:
                // SuspendCalls.exit(value, continuation, id, start): not over if the coroutine suspended.
                loadValue(guarded);
                super.visitVarInsn(Opcodes.ALOAD, watchedSlot);
                pushId();
                super.visitVarInsn(Opcodes.LLOAD, startSlot);
                invoke(WovenMember.SUSPEND_EXIT);
                break;
            case PUBLISHER:
            case FUTURE:
                // value = PublisherCalls.exit(value, id, start, kind): the same type, watched.
                if (guarded) {
                    super.visitVarInsn(Opcodes.ALOAD, valueSlot);
                }
                pushId();
                super.visitVarInsn(Opcodes.LLOAD, startSlot);
                pushInt(shape == MethodShape.FUTURE ? PublisherCalls.EAGER_FUTURE
                        : MethodShape.publisherKind(returnType.getDescriptor()));
                invoke(WovenMember.PUBLISHER_EXIT);
                super.visitTypeInsn(Opcodes.CHECKCAST, returnType.getInternalName());
                break;
            case STREAM_OBSERVER:
            case ASYNC_RESPONSE:
                pushId();
                super.visitVarInsn(Opcodes.LLOAD, startSlot);
                super.visitVarInsn(Opcodes.ALOAD, watchedSlot);
                invoke(shape == MethodShape.STREAM_OBSERVER ? WovenMember.OBSERVER_EXIT
                        : WovenMember.ASYNC_RESPONSE_EXIT);
                break;
            default:
                throw new IllegalStateException("no exit for " + shape);
        }
        super.visitLabel(end);
        if (guarded) {
            returnExits.add(start);
            returnExits.add(end);
            // A publisher or future method returns what its exit left on the stack.
            if (returnsValue && shape != MethodShape.PUBLISHER && shape != MethodShape.FUTURE) {
                super.visitVarInsn(returnType.getOpcode(Opcodes.ILOAD), valueSlot);
            }
        }
        return parkedInOwnSlot;
    }

    /** Pushes the returned value for an exit that reads it: from its slot, or a copy of the stack's top. */
    private void loadValue(boolean parked) {
        if (parked) {
            super.visitVarInsn(Opcodes.ALOAD, valueSlot);
        } else {
            super.visitInsn(Opcodes.DUP);
        }
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        super.visitLabel(bodyEnd);

        // catch (Throwable thrown): exitThrown(thrown, id, start); throw thrown;
        Label thrownHandler = new Label();
        super.visitLabel(thrownHandler);
        frame(locals(-1, null, watchedType == null ? -1 : watchedSlot, watchedType), THROWABLE);
        super.visitVarInsn(Opcodes.ASTORE, throwableSlot);
        super.visitLabel(exitThrownStart);
        super.visitVarInsn(Opcodes.ALOAD, throwableSlot);
        exitThrown();
        super.visitLabel(exitThrownEnd);
        super.visitVarInsn(Opcodes.ALOAD, throwableSlot);
        super.visitInsn(Opcodes.ATHROW);

        // exitThrown could not be called: count the exit, rethrow the method's own exception.
        Label unrecordedThrown = new Label();
        super.visitLabel(unrecordedThrown);
        Object[] thrownLocals = locals(throwableSlot, THROWABLE, watchedType == null ? -1 : watchedSlot, watchedType);
        frame(thrownLocals, THROWABLE);
        super.visitInsn(Opcodes.POP);
        countUnrecordedExit(thrownLocals, false, true);
        super.visitVarInsn(Opcodes.ALOAD, throwableSlot);
        super.visitInsn(Opcodes.ATHROW);

        // An exit before a return could not be called: count it, return the value.
        Label unrecordedReturn = new Label();
        if (!returnExits.isEmpty()) {
            super.visitLabel(unrecordedReturn);
            boolean returnsValue = returnType.getSort() != Type.VOID;
            Object[] returnLocals = returnsValue ? locals(valueSlot, frameType(returnType)) : locals(-1, null);
            frame(returnLocals, THROWABLE);
            super.visitInsn(Opcodes.POP);
            countUnrecordedExit(returnLocals, returnsValue, false);
            if (returnsValue) {
                super.visitVarInsn(returnType.getOpcode(Opcodes.ILOAD), valueSlot);
            }
            super.visitInsn(returnType.getOpcode(Opcodes.IRETURN));
        }

        // The continuation that ends a suspend call could not be made (no stack left): the function runs
        // with the one it was given, and its exit ends the call where it returns (finding no proxy of the
        // call) or throws, so that an overflow still counts as an error. The same for the proxy of an
        // AsyncResponse: the method answers through the runtime's own, and the response's end still ends the call.
        Label continuationFailed = new Label();
        if (replacesWatchedParameter()) {
            super.visitLabel(continuationFailed);
            frame(bodyLocals(), THROWABLE);
            super.visitInsn(Opcodes.POP);
            super.visitJumpInsn(Opcodes.GOTO, body);
        }

        // enter could not be called: the method runs unmeasured.
        Label enterFailed = new Label();
        super.visitLabel(enterFailed);
        frame(frameLocals(parameterSlots(startSlot)), THROWABLE);
        super.visitInsn(Opcodes.POP);
        super.visitInsn(Opcodes.LCONST_0);
        super.visitVarInsn(Opcodes.LSTORE, startSlot);
        super.visitJumpInsn(Opcodes.GOTO, body);

        // After the method's own handlers, so that those still see their exceptions first.
        for (int i = 0; i < returnExits.size(); i += 2) {
            super.visitTryCatchBlock(returnExits.get(i), returnExits.get(i + 1), unrecordedReturn, null);
        }
        super.visitTryCatchBlock(exitThrownStart, exitThrownEnd, unrecordedThrown, null);
        super.visitTryCatchBlock(enterStart, enterEnd, enterFailed, null);
        if (replacesWatchedParameter()) {
            super.visitTryCatchBlock(continuationStart, continuationEnd, continuationFailed, null);
        }
        super.visitTryCatchBlock(body, bodyEnd, thrownHandler, null);
        super.visitMaxs(maxStack, maxLocals);
    }

    /** With the exception on the stack: the exit of a call that throws, by the method's shape. */
    private void exitThrown() {
        switch (shape) {
            case SUSPEND:
                pushId();
                super.visitVarInsn(Opcodes.LLOAD, startSlot);
                invoke(WovenMember.SUSPEND_EXIT_THROWN);
                break;
            case PUBLISHER:
            case FUTURE:
                pushId();
                super.visitVarInsn(Opcodes.LLOAD, startSlot);
                invoke(WovenMember.PUBLISHER_EXIT_THROWN);
                break;
            case STREAM_OBSERVER:
            case ASYNC_RESPONSE:
                super.visitVarInsn(Opcodes.ALOAD, watchedSlot);
                pushId();
                super.visitVarInsn(Opcodes.LLOAD, startSlot);
                invoke(shape == MethodShape.STREAM_OBSERVER ? WovenMember.OBSERVER_EXIT_THROWN
                        : WovenMember.ASYNC_RESPONSE_EXIT_THROWN);
                break;
            default:
                pushId();
                super.visitVarInsn(Opcodes.LLOAD, startSlot);
                invoke(WovenMember.EXIT_THROWN);
        }
    }

    /**
     * {@code if (start != NOT_STARTED) UNRECORDED_EXITS[id]++}, with no call: the stack has no room
     * for one. For a call that threw ({@code thrown}), {@code UNRECORDED_THROWN_EXITS[id]++;
     * UNRECORDED_THROWN[id] = thrown}, so that it counts as an error of the exception's type. A call whose enter failed was never counted, so its end is not either; nor is one that
     * something else will end: a gRPC call its observer ends ({@code start == TRACKED}), or a suspend
     * function's call whose returned {@code value} is the suspension marker (its continuation ends it).
     * Only fields of classes the woven code has already called are read: nothing is resolved by loading.
     */
    private void countUnrecordedExit(Object[] locals, boolean valueParked, boolean thrown) {
        if (!countUnrecorded) {
            return;
        }
        Label uncounted = new Label();
        super.visitVarInsn(Opcodes.LLOAD, startSlot);
        super.visitInsn(Opcodes.LCONST_0);
        super.visitInsn(Opcodes.LCMP);
        super.visitJumpInsn(Opcodes.IFEQ, uncounted);
        if (shape == MethodShape.STREAM_OBSERVER || shape == MethodShape.ASYNC_RESPONSE) {
            super.visitVarInsn(Opcodes.LLOAD, startSlot);
            super.visitLdcInsn(StreamObserverCalls.TRACKED);
            super.visitInsn(Opcodes.LCMP);
            super.visitJumpInsn(Opcodes.IFEQ, uncounted);
        } else if (shape == MethodShape.SUSPEND && valueParked) {
            super.visitVarInsn(Opcodes.ALOAD, valueSlot);
            getStatic(WovenMember.SUSPENDED);
            super.visitJumpInsn(Opcodes.IF_ACMPEQ, uncounted);
        }
        getStatic(thrown ? WovenMember.UNRECORDED_THROWN_EXITS : WovenMember.UNRECORDED_EXITS);
        pushId();
        super.visitInsn(Opcodes.DUP2);
        super.visitInsn(Opcodes.IALOAD);
        super.visitInsn(Opcodes.ICONST_1);
        super.visitInsn(Opcodes.IADD);
        super.visitInsn(Opcodes.IASTORE);
        if (thrown) {
            getStatic(WovenMember.UNRECORDED_THROWN);
            pushId();
            super.visitVarInsn(Opcodes.ALOAD, throwableSlot);
            super.visitInsn(Opcodes.AASTORE);
        }
        super.visitLabel(uncounted);
        frame(locals, null);
    }

    private void pushId() {
        pushInt(id);
    }

    /** Calls {@code method} of the API: every reference the woven code makes goes through {@link WovenMember}. */
    private void invoke(WovenMember method) {
        super.visitMethodInsn(Opcodes.INVOKESTATIC, method.owner(), method.memberName(), method.descriptor(), false);
    }

    private void getStatic(WovenMember field) {
        super.visitFieldInsn(Opcodes.GETSTATIC, field.owner(), field.memberName(), field.descriptor());
    }

    private void pushInt(int value) {
        if (value <= 5) {
            super.visitInsn(Opcodes.ICONST_0 + value);
        } else if (value <= Byte.MAX_VALUE) {
            super.visitIntInsn(Opcodes.BIPUSH, value);
        } else if (value <= Short.MAX_VALUE) {
            super.visitIntInsn(Opcodes.SIPUSH, value);
        } else {
            super.visitLdcInsn(value);
        }
    }

    private void frame(Object[] locals, String stackTop) {
        if (!writeFrames) {
            return;
        }
        Object[] stack = stackTop == null ? new Object[0] : new Object[] {stackTop};
        super.visitFrame(Opcodes.F_NEW, locals.length, locals, stack.length, stack);
    }

    /** The parameters, then the start time. */
    private Object[] bodyLocals() {
        Object[] slots = parameterSlots(startSlot + 2);
        slots[startSlot] = Opcodes.LONG;
        return frameLocals(slots);
    }

    /** Only the start time, plus {@code type} in {@code slot} unless slot is negative. */
    private Object[] locals(int slot, Object type) {
        return locals(slot, type, -1, null);
    }

    /** Only the start time, plus each type in its slot unless that slot is negative. */
    private Object[] locals(int slot, Object type, int otherSlot, Object otherType) {
        Object[] slots = new Object[Math.max(startSlot + 2, Math.max(slot, otherSlot) + 2)];
        slots[startSlot] = Opcodes.LONG;
        if (slot >= 0) {
            slots[slot] = type;
        }
        if (otherSlot >= 0) {
            slots[otherSlot] = otherType;
        }
        return frameLocals(slots);
    }

    /** One entry per slot, filled with the parameters as the method receives them. */
    private Object[] parameterSlots(int length) {
        Object[] slots = new Object[length];
        int slot = 0;
        if ((access & Opcodes.ACC_STATIC) == 0) {
            slots[slot++] = owner;
        }
        for (Type parameter : Type.getArgumentTypes(descriptor)) {
            slots[slot] = frameType(parameter);
            slot += parameter.getSize();
        }
        return slots;
    }

    /** Slots to ASM's frame form: a long or double stands for two slots, empty slots are TOP, trailing TOPs go. */
    private static Object[] frameLocals(Object[] slots) {
        List<Object> locals = new ArrayList<Object>(slots.length);
        int lastUsed = -1;
        for (int slot = 0; slot < slots.length; slot++) {
            Object type = slots[slot] == null ? Opcodes.TOP : slots[slot];
            locals.add(type);
            if (type != Opcodes.TOP) {
                lastUsed = locals.size() - 1;
            }
            if (type == Opcodes.LONG || type == Opcodes.DOUBLE) {
                slot++;
            }
        }
        return locals.subList(0, lastUsed + 1).toArray();
    }

    private static int size(Object frameType) {
        return frameType == Opcodes.LONG || frameType == Opcodes.DOUBLE ? 2 : 1;
    }

    private static Object frameType(Type type) {
        switch (type.getSort()) {
            case Type.BOOLEAN:
            case Type.BYTE:
            case Type.CHAR:
            case Type.SHORT:
            case Type.INT:
                return Opcodes.INTEGER;
            case Type.FLOAT:
                return Opcodes.FLOAT;
            case Type.LONG:
                return Opcodes.LONG;
            case Type.DOUBLE:
                return Opcodes.DOUBLE;
            case Type.ARRAY:
                return type.getDescriptor();
            default:
                return type.getInternalName();
        }
    }
}
