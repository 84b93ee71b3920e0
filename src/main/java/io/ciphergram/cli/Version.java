package io.ciphergram.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import picocli.CommandLine;

/** {@code --version}: the project's version, which the build writes into {@code version.properties}. */
final class Version implements CommandLine.IVersionProvider {

    static String current() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                return properties.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            // below
        }
        return "unknown";
    }

    @Override
    public String[] getVersion() {
        return new String[] {"ciphergram-cli " + current() + " (Java " + System.getProperty("java.version") + ")"};
    }
}
