package io.ciphergram.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar target/ciphergram-cli.jar client|bench ...}: plain Java, no Quarkus boot. */
@Command(name = "ciphergram-cli", mixinStandardHelpOptions = true, versionProvider = Version.class, subcommands = {ClientCommand.class, BenchCommand.class},
        description = "Ciphergram console tools.")
public final class CiphergramCli {

    public static void main(String[] args) {
        System.exit(new CommandLine(new CiphergramCli()).execute(args));
    }
}
