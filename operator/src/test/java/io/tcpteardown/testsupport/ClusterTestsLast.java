package io.tcpteardown.testsupport;

import io.tcpteardown.tier.ClusterTest;
import java.util.Comparator;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;
import org.junit.jupiter.api.Order;

/**
 * The order of test classes (junit-platform.properties): every class as discovered, then the
 * classes of the real-cluster tier ({@link ClusterTest}), by their {@link Order}. They share one
 * cluster ({@link LocalClusterExtension}), which runs until the end of the run.
 */
public final class ClusterTestsLast implements ClassOrderer {
  @Override
  public void orderClasses(ClassOrdererContext context) {
    // List.sort is stable: the other classes keep their order.
    context.getClassDescriptors().sort(Comparator.comparingLong(ClusterTestsLast::rank));
  }

  private static long rank(ClassDescriptor descriptor) {
    if (!descriptor.isAnnotated(ClusterTest.class)) {
      return Long.MIN_VALUE;
    }
    return descriptor.findAnnotation(Order.class).map(Order::value).orElse(Order.DEFAULT);
  }
}
