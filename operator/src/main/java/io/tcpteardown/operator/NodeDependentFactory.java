package io.tcpteardown.operator;

import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.config.dependent.DependentResourceSpec;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResourceFactory;
import io.tcpteardown.api.TcpTeardownNode;

/**
 * Makes the node-settings controller's {@link TcpTeardownNodeDependent} with the operator's
 * validation cache and spec-write count (the SDK would call a no-argument constructor, which leaves
 * only static state to share them through); any other dependent as the SDK does.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
final class NodeDependentFactory
    implements DependentResourceFactory<ControllerConfiguration<?>, DependentResourceSpec> {
  private final ProfileValidations validations;
  private final Runnable specWritten;

  NodeDependentFactory(ProfileValidations validations, Runnable specWritten) {
    this.validations = validations;
    this.specWritten = specWritten;
  }

  @Override
  public DependentResource createFrom(
      DependentResourceSpec spec, ControllerConfiguration<?> configuration) {
    if (spec.getDependentResourceClass() != TcpTeardownNodeDependent.class) {
      return DEFAULT.createFrom(spec, configuration);
    }
    TcpTeardownNodeDependent dependent = new TcpTeardownNodeDependent(validations, specWritten);
    configure(dependent, spec, configuration);
    return dependent;
  }

  @Override
  public Class<?> associatedResourceType(DependentResourceSpec spec) {
    return spec.getDependentResourceClass() == TcpTeardownNodeDependent.class
        ? TcpTeardownNode.class
        : DEFAULT.associatedResourceType(spec);
  }
}
