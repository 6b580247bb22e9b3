package org.emaillistener.standalone;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.CanBeAnnotated.Predicates.annotatedWith;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.emaillistener.common.creatio.DotNetTicks;
import org.emaillistener.common.creatio.MailboxFolder;
import org.emaillistener.common.creatio.ServerType;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.primary.subscription.MailboxWatcher;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RestController;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The seams of the code (STYLE.md, "How the code should read"), checked on the classes of all three
 * jars: what a newcomer may rely on when finding the room a change belongs in.
 */
@AnalyzeClasses(packages = "org.emaillistener", importOptions = ArchitectureTest.MainClassesOnly.class)
class ArchitectureTest {

    /** The main code of every module: neither these tests nor listener-common's test support. */
    static final class MainClassesOnly implements ImportOption {

        @Override
        public boolean includes(com.tngtech.archunit.core.importer.Location location) {
            return !location.contains("/test-classes/") && !location.contains("-tests.jar");
        }
    }

    private static final String COMMON = "org.emaillistener.common..";
    private static final String[] APPS = { "org.emaillistener.primary..", "org.emaillistener.secondary..",
            "org.emaillistener.standalone.." };
    private static final String[] PROTOCOLS = { "org.emaillistener.common.imap..", "org.emaillistener.common.exchange..",
            "org.emaillistener.common.graph..", "org.emaillistener.common.mail..", "org.emaillistener.primary.imap..",
            "org.emaillistener.primary.ews..", "org.emaillistener.primary.graph..", "org.emaillistener.primary.smtp.." };
    private static final String[] ADAPTERS = { "org.emaillistener.common.redis..", "org.emaillistener.common.rabbitmq..",
            "org.emaillistener.common.memory.." };

    /**
     * Creatio's client and what it sends and delivers, apart from the records that describe a mailbox
     * as Creatio registers it and asks about it (its settings, server type, folders, and .NET ticks).
     */
    private static final DescribedPredicate<JavaClass> CREATIO_CLIENT = resideInAnyPackage(
            "org.emaillistener.common.creatio..")
            .and(not(assignableTo(SynchronizationCredentials.class)))
            .and(not(assignableTo(SynchronizationCredentials.FeatureValues.class)))
            .and(not(assignableTo(ServerType.class)))
            .and(not(assignableTo(MailboxFolder.class)))
            .and(not(assignableTo(DotNetTicks.class)))
            .as("Creatio's client and what it delivers");

    @ArchTest
    static final ArchRule commonHasNoPackageCycles = slices().matching("org.emaillistener.common.(**)")
            .should().beFreeOfCycles()
            .because("STYLE: package by concept; a cycle makes the concepts of listener-common one room");

    @ArchTest
    static final ArchRule primaryHasNoPackageCycles = slices().matching("org.emaillistener.primary.(**)")
            .should().beFreeOfCycles()
            .because("STYLE: package by concept; a cycle makes the concepts of listener-primary one room");

    @ArchTest
    static final ArchRule secondaryHasNoPackageCycles = slices().matching("org.emaillistener.secondary.(**)")
            .should().beFreeOfCycles()
            .because("STYLE: package by concept; a cycle makes the concepts of listener-secondary one room");

    @ArchTest
    static final ArchRule noPackageCyclesAcrossModules = slices().matching("org.emaillistener.(**)")
            .should().beFreeOfCycles()
            .because("STYLE: package by concept; no package leans on one that leans back on it, in any module");

    @ArchTest
    static final ArchRule commonDependsOnNoApplication = noClasses().that().resideInAPackage(COMMON)
            .should().dependOnClassesThat().resideInAnyPackage(APPS)
            .because("STYLE: ports are small interfaces in listener-common, which both roles share and "
                    + "neither owns");

    @ArchTest
    static final ArchRule primaryKnowsNoSecondary = noClasses().that().resideInAPackage("org.emaillistener.primary..")
            .should().dependOnClassesThat().resideInAPackage("org.emaillistener.secondary..")
            .because("STYLE: modules talk through small interfaces: the roles share only listener-common's ports");

    @ArchTest
    static final ArchRule secondaryKnowsNoPrimary = noClasses().that().resideInAPackage("org.emaillistener.secondary..")
            .should().dependOnClassesThat().resideInAPackage("org.emaillistener.primary..")
            .because("STYLE: modules talk through small interfaces: the roles share only listener-common's ports");

    @ArchTest
    static final ArchRule protocolsKnowNotCreatio = noClasses().that().resideInAnyPackage(PROTOCOLS)
            .should().dependOnClassesThat(CREATIO_CLIENT)
            .because("STYLE (Angus Mail / EmailEngine): the connection is kept apart from what is done with "
                    + "the mail; a mailbox watcher knows IMAP, not Creatio");

    @ArchTest
    static final ArchRule watchersKnowNotCreatio = noClasses().that().implement(MailboxWatcher.class)
            .should().dependOnClassesThat(CREATIO_CLIENT)
            .because("STYLE (Angus Mail / EmailEngine): a mailbox watcher knows IMAP, not Creatio");

    @ArchTest
    static final ArchRule creatioKnowsNoProtocol = noClasses().that().resideInAPackage("org.emaillistener.common.creatio..")
            .should().dependOnClassesThat().resideInAnyPackage(PROTOCOLS)
            .because("STYLE (Angus Mail / EmailEngine): the Creatio client knows JSON over HTTP, not IMAP");

    @ArchTest
    static final ArchRule adaptersOnlyThroughTheirPorts = noClasses()
            .that().resideOutsideOfPackages(ADAPTERS)
            .and(not(annotatedWith(Configuration.class)))
            .should().dependOnClassesThat().resideInAnyPackage(ADAPTERS)
            .because("STYLE: each port has its adapters side by side (redis, rabbitmq, memory), chosen by "
                    + "configuration, never by an if scattered through the code");

    @ArchTest
    static final ArchRule controllersOnlyInApiPackages = classes()
            .that().areAnnotatedWith(RestController.class).or().areAnnotatedWith(Controller.class)
            .should().resideInAPackage("..api..")
            .because("STYLE (spring-restbucks): the HTTP layer sits in a web sub-package of the concept it "
                    + "serves, here named api");
}
