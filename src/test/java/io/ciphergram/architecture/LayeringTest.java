package io.ciphergram.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency direction of ../shared/STYLE.md, held by the build: the edges (transports, HTTP API,
 * Quarkus wiring, the Redis link) and the console client depend on the engine (relay, session), which
 * depends on the cluster port and on the protocol and crypto core; the cluster port depends on nothing
 * of ours; crypto depends on nothing of ours; only the edges see Quarkus or Vert.x.
 */
@AnalyzeClasses(packages = "io.ciphergram", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

    private static final String[] FRAMEWORKS = {"io.quarkus..", "io.vertx..", "io.netty..", "jakarta..",
        "org.eclipse.microprofile..", "io.micrometer..", "io.smallrye..", "org.jboss.."};

    @ArchTest
    static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("Edges").definedBy("io.ciphergram.transport..", "io.ciphergram.api..", "io.ciphergram.server..",
                    "io.ciphergram.cluster.redis..")
            .layer("Console").definedBy("io.ciphergram.cli..")
            .layer("Engine").definedBy("io.ciphergram.relay..", "io.ciphergram.session..")
            .layer("Cluster").definedBy("io.ciphergram.cluster")
            .layer("Store").definedBy("io.ciphergram.store..")
            .layer("Protocol").definedBy("io.ciphergram.protocol..")
            .layer("Crypto").definedBy("io.ciphergram.crypto..")
            .whereLayer("Edges").mayNotBeAccessedByAnyLayer()
            .whereLayer("Console").mayNotBeAccessedByAnyLayer()
            .whereLayer("Engine").mayOnlyBeAccessedByLayers("Edges")
            .whereLayer("Cluster").mayOnlyBeAccessedByLayers("Edges", "Engine")
            .whereLayer("Store").mayOnlyBeAccessedByLayers("Edges", "Engine")
            .whereLayer("Protocol").mayOnlyBeAccessedByLayers("Edges", "Console", "Engine")
            .whereLayer("Crypto").mayOnlyBeAccessedByLayers("Edges", "Console", "Engine", "Protocol");

    /** The cluster port speaks names and texts: it knows no session, key, frame or framework. */
    @ArchTest
    static final ArchRule theClusterPortStandsAlone = noClasses().that().resideInAPackage("io.ciphergram.cluster")
            .should().dependOnClassesThat().resideInAnyPackage("io.ciphergram.relay..", "io.ciphergram.session..",
                    "io.ciphergram.protocol..", "io.ciphergram.crypto..", "io.ciphergram.transport..", "io.ciphergram.server..",
                    "io.ciphergram.api..", "io.ciphergram.cli..", "io.ciphergram.cluster.redis..");

    /** The store port keeps names, keys as bytes, envelopes and lines: it knows no session, frame or framework. */
    @ArchTest
    static final ArchRule theStorePortStandsAlone = noClasses().that().resideInAPackage("io.ciphergram.store..")
            .should().dependOnClassesThat().resideInAnyPackage("io.ciphergram.relay..", "io.ciphergram.session..",
                    "io.ciphergram.protocol..", "io.ciphergram.crypto..", "io.ciphergram.transport..", "io.ciphergram.server..",
                    "io.ciphergram.api..", "io.ciphergram.cli..", "io.ciphergram.cluster..");

    /** One path per direction: what sends (outboxes, the v2 sender) never calls back into what receives. */
    @ArchTest
    static final ArchRule theSendSideDoesNotReachTheIngress = noClasses().that()
            .haveSimpleNameEndingWith("Outbox").or().haveSimpleName("V2Sender")
            .should().dependOnClassesThat().haveSimpleNameEndingWith("Ingress");

    @ArchTest
    static final ArchRule sessionsDoNotKnowTheRelay = noClasses().that().resideInAPackage("io.ciphergram.session..")
            .should().dependOnClassesThat().resideInAPackage("io.ciphergram.relay..");

    @ArchTest
    static final ArchRule onlyTheEdgesSeeTheFrameworks = noClasses().that()
            .resideInAnyPackage("io.ciphergram.protocol..", "io.ciphergram.crypto..", "io.ciphergram.session..",
                    "io.ciphergram.relay..", "io.ciphergram.cli..", "io.ciphergram.cluster", "io.ciphergram.store..")
            .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS);

    /** The gateway translates framing only: no transport holds a key or sees plaintext. */
    @ArchTest
    static final ArchRule transportsHoldNoKeys = noClasses().that().resideInAPackage("io.ciphergram.transport..")
            .should().dependOnClassesThat().resideInAnyPackage("io.ciphergram.crypto..", "io.ciphergram.session..");

    @ArchTest
    static final ArchRule noCyclesBetweenPackages = slices().matching("io.ciphergram.(**)").should().beFreeOfCycles();
}
