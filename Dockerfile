# syntax=docker/dockerfile:1
#
# One image per app, all from this file:
#   docker build --target primary    -t email-listener-primary .
#   docker build --target secondary  -t email-listener-secondary .
#   docker build --target standalone -t email-listener-standalone .
#
# The images run as a non-root user, need no writable path but /tmp (mount a volume or tmpfs there
# when the root filesystem is read-only), size the heap from the container's memory limit, and
# start the JVM as PID 1 so that SIGTERM reaches it: the apps shut down gracefully and the primary
# releases its mailbox leases to the other replicas.

FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
# The build files first, so that a change to the sources alone reuses the downloaded dependencies.
# Every module the root pom lists needs its pom here (listener-deploy's DockerfileTest replays this
# stage from these lines and fails otherwise).
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY listener-common/pom.xml listener-common/
COPY listener-primary/pom.xml listener-primary/
COPY listener-secondary/pom.xml listener-secondary/
COPY listener-standalone/pom.xml listener-standalone/
COPY listener-it/pom.xml listener-it/
COPY listener-bench/pom.xml listener-bench/
COPY listener-deploy/pom.xml listener-deploy/
COPY listener-common/src/ listener-common/src/
COPY listener-primary/src/ listener-primary/src/
COPY listener-secondary/src/ listener-secondary/src/
COPY listener-standalone/src/ listener-standalone/src/
# The commit the images are built from (the build context has no .git): /actuator/info and
# email_listener_build_info name it. docker build --build-arg GIT_COMMIT=$(git rev-parse HEAD) .
ARG GIT_COMMIT=""
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -DskipTests -Dbuild.commit="${GIT_COMMIT}" -pl listener-primary,listener-secondary,listener-standalone -am package
# Unpack each executable jar into Spring Boot's layers (dependencies change least, the application
# most), each copied into the image as its own Docker layer below.
RUN for app in primary secondary standalone; do \
      java -Djarmode=tools -jar listener-$app/target/listener-$app.jar \
        extract --layers --launcher --destination /layers/$app || exit 1; \
    done

FROM eclipse-temurin:25-jre AS runtime
RUN groupadd --system --gid 10001 listener \
 && useradd --system --uid 10001 --gid listener --home-dir /app --no-create-home --shell /usr/sbin/nologin listener
WORKDIR /app
# Overridable as a whole (the Helm chart's jvmOptions, compose's environment).
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
# The only path the JVM and Tomcat write to; everything else can be read-only.
VOLUME /tmp
# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]

FROM runtime AS primary
COPY --from=build /layers/primary/dependencies/ ./
COPY --from=build /layers/primary/spring-boot-loader/ ./
COPY --from=build /layers/primary/snapshot-dependencies/ ./
COPY --from=build /layers/primary/application/ ./
EXPOSE 8080

FROM runtime AS secondary
COPY --from=build /layers/secondary/dependencies/ ./
COPY --from=build /layers/secondary/spring-boot-loader/ ./
COPY --from=build /layers/secondary/snapshot-dependencies/ ./
COPY --from=build /layers/secondary/application/ ./
EXPOSE 8081

FROM runtime AS standalone
COPY --from=build /layers/standalone/dependencies/ ./
COPY --from=build /layers/standalone/spring-boot-loader/ ./
COPY --from=build /layers/standalone/snapshot-dependencies/ ./
COPY --from=build /layers/standalone/application/ ./
EXPOSE 8080
