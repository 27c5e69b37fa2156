# One image for both entrypoints: `operator` (the default command) and `agent` (the DaemonSet's args).
#   docker build -t tcp-teardown-operator:dev --build-arg VERSION=0.1.0 .
ARG BUILD_IMAGE=eclipse-temurin:25-jdk
ARG RUNTIME_BASE=debian:bookworm-slim

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# Dependencies first, so that a source change does not download them again; the Maven repository and the
# wrapper's Maven live in a build cache shared between builds.
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY operator/pom.xml operator/
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -pl operator dependency:go-offline
COPY operator/src/ operator/src/
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q package -DskipTests
# A trimmed Java runtime: the modules the jar needs (jdeps --print-module-deps on the jar), nothing else. Not
# compressed: a compressed module image costs every process about 9 MiB more resident memory. No class-data
# archive: the processes run with -Xshare:off, which measured 1.6 MiB less resident memory (docs/benchmarks.md "Footprint").
ARG JRE_MODULES=java.base,java.compiler,java.desktop,java.naming,java.net.http,java.sql,jdk.management,jdk.unsupported
RUN jlink --add-modules ${JRE_MODULES} --strip-debug --no-man-pages --no-header-files \
      --output /jre

FROM ${RUNTIME_BASE}
ARG VERSION=0.1.0-SNAPSHOT
LABEL org.opencontainers.image.title="tcp-teardown-operator" \
      org.opencontainers.image.description="Manages the Linux TCP connection-teardown sysctls of Kubernetes nodes" \
      org.opencontainers.image.source="https://github.com/tcp-teardown/tcp-teardown-operator" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /jre /opt/java
COPY --from=build /src/operator/target/tcp-teardown.jar /app/tcp-teardown.jar
ENV PATH=/opt/java/bin:$PATH
# Non-root by default (the operator); the agent's pod spec runs it as root, privileged, in the host network.
USER 65532:65532
# JVM flags, each measured on the agent (docs/benchmarks.md "Footprint"): container-aware heap (a share of the pod's limit),
# exit on OOM so that the kubelet restarts the pod; a small single-threaded collector with a small young
# generation that gives back free heap; compact object headers; no class-data archive (1.6 MiB less resident
# memory without it); glibc's free native memory returned every 5 s; and native access for the agent's netlink
# socket (FFM). The agent's DaemonSet adds C1 only, compiling only methods that run often (the chart's
# agent.jvmOptions, env JDK_JAVA_OPTIONS); the operator keeps the full JIT compiler, which it needs at scale.
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-XX:MaxRAMPercentage=70", "-XX:+UseSerialGC", "-XX:NewRatio=6", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", "-XX:+UseCompactObjectHeaders", "-Xshare:off", "-XX:TrimNativeHeapInterval=5000", "-Xss512k", "-XX:ReservedCodeCacheSize=32m", "--enable-native-access=ALL-UNNAMED", "-jar", "/app/tcp-teardown.jar"]
CMD ["operator"]
