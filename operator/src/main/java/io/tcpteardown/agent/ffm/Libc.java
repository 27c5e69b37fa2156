package io.tcpteardown.agent.ffm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The C library through the FFM API, for the agent's few system calls (netlink sockets, setns): one
 * linker, downcall handles with or without errno capture, and the errno of a captured call state.
 */
public final class Libc {
  public static final Linker LINKER = Linker.nativeLinker();

  /** The layout of a call state to allocate and pass first to a downcall that captures errno. */
  public static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();

  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

  private Libc() {}

  /** A downcall that captures errno: pass a {@link #CALL_STATE} segment as first argument. */
  public static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().find(name).orElseThrow(),
        descriptor,
        Linker.Option.captureCallState("errno"));
  }

  /** A downcall without errno capture. */
  public static MethodHandle plainDowncall(String name, FunctionDescriptor descriptor) {
    return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor);
  }

  /** The errno a call left in its call state. */
  public static int errno(MemorySegment callState) {
    return (int) ERRNO.get(callState, 0L);
  }
}
