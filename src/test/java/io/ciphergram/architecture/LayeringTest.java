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
 * Quarkus wiring) and the console client depend on the engine (relay, session), which depends on the
 * protocol and crypto core; crypto depends on nothing of ours; only the edges see Quarkus or Vert.x.
 */
@AnalyzeClasses(packages = "io.ciphergram", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

    private static final String[] FRAMEWORKS = {"io.quarkus..", "io.vertx..", "io.netty..", "jakarta..",
        "org.eclipse.microprofile..", "io.micrometer..", "io.smallrye..", "org.jboss.."};

    @ArchTest
    static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("Edges").definedBy("io.ciphergram.transport..", "io.ciphergram.api..", "io.ciphergram.server..")
            .layer("Console").definedBy("io.ciphergram.cli..")
            .layer("Engine").definedBy("io.ciphergram.relay..", "io.ciphergram.session..")
            .layer("Protocol").definedBy("io.ciphergram.protocol..")
            .layer("Crypto").definedBy("io.ciphergram.crypto..")
            .whereLayer("Edges").mayNotBeAccessedByAnyLayer()
            .whereLayer("Console").mayNotBeAccessedByAnyLayer()
            .whereLayer("Engine").mayOnlyBeAccessedByLayers("Edges")
            .whereLayer("Protocol").mayOnlyBeAccessedByLayers("Edges", "Console", "Engine")
            .whereLayer("Crypto").mayOnlyBeAccessedByLayers("Edges", "Console", "Engine", "Protocol");

    @ArchTest
    static final ArchRule sessionsDoNotKnowTheRelay = noClasses().that().resideInAPackage("io.ciphergram.session..")
            .should().dependOnClassesThat().resideInAPackage("io.ciphergram.relay..");

    @ArchTest
    static final ArchRule onlyTheEdgesSeeTheFrameworks = noClasses().that()
            .resideInAnyPackage("io.ciphergram.protocol..", "io.ciphergram.crypto..", "io.ciphergram.session..",
                    "io.ciphergram.relay..", "io.ciphergram.cli..")
            .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS);

    /** The gateway translates framing only: no transport holds a key or sees plaintext. */
    @ArchTest
    static final ArchRule transportsHoldNoKeys = noClasses().that().resideInAPackage("io.ciphergram.transport..")
            .should().dependOnClassesThat().resideInAnyPackage("io.ciphergram.crypto..", "io.ciphergram.session..");

    @ArchTest
    static final ArchRule noCyclesBetweenPackages = slices().matching("io.ciphergram.(**)").should().beFreeOfCycles();
}
