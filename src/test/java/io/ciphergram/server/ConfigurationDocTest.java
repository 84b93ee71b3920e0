package io.ciphergram.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaAnnotation;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The settings docs/OPERATIONS.md documents are the ones the service reads, under the same names and with
 * the same defaults: every {@code ciphergram.*} key of a {@link ConfigMapping} in {@link EngineConfig} and of
 * every {@link ConfigProperty} in the service has a row in "Configure", and every row (there and in "Limits")
 * names a key that exists. A renamed setting whose documentation kept the old name
 * ({@code reflection-window} for {@code reflection-limit}) fails here.
 */
class ConfigurationDocTest {

    private static final Pattern ROW = Pattern.compile("^\\| `(ciphergram\\.[a-z0-9.-]+)` \\|(.*)$", Pattern.MULTILINE);

    /** Every ciphergram.* key the service reads, with its default where the code or application.properties gives one. */
    private static final Map<String, Optional<String>> REAL = new TreeMap<>();
    private static String operations;

    @BeforeAll
    static void readBoth() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = ConfigurationDocTest.class.getResourceAsStream("/application.properties")) {
            properties.load(in);
        }
        for (Class<?> group : EngineConfig.class.getDeclaredClasses()) {
            ConfigMapping mapping = group.getAnnotation(ConfigMapping.class);
            if (mapping == null) {
                continue;
            }
            for (var method : group.getDeclaredMethods()) {
                String key = mapping.prefix() + "." + kebab(method.getName());
                WithDefault fallback = method.getAnnotation(WithDefault.class);
                REAL.put(key, Optional.ofNullable(properties.getProperty(key, fallback == null ? null : fallback.value())));
            }
        }
        JavaClasses service = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.ciphergram");
        for (JavaClass type : service) {
            type.getFields().forEach(f -> f.tryGetAnnotationOfType(ConfigProperty.class.getName()).ifPresent(a -> add(a, properties)));
            type.getConstructors().forEach(c -> c.getParameters().forEach(
                    p -> p.tryGetAnnotationOfType(ConfigProperty.class.getName()).ifPresent(a -> add(a, properties))));
            type.getMethods().forEach(m -> m.getParameters().forEach(
                    p -> p.tryGetAnnotationOfType(ConfigProperty.class.getName()).ifPresent(a -> add(a, properties))));
        }
        operations = Files.readString(Path.of("docs/OPERATIONS.md"));
    }

    private static void add(JavaAnnotation<?> annotation, Properties properties) {
        String key = (String) annotation.get("name").orElseThrow();
        if (!key.startsWith("ciphergram.")) {
            return;
        }
        String fallback = (String) annotation.get("defaultValue").orElse(ConfigProperty.UNCONFIGURED_VALUE);
        String value = properties.getProperty(key, ConfigProperty.UNCONFIGURED_VALUE.equals(fallback) ? null : fallback);
        REAL.merge(key, Optional.ofNullable(value), (a, b) -> a.isPresent() ? a : b);
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** The rows of the section that starts with {@code heading}, by key: the rest of each row. */
    private static Map<String, String> rows(String heading) {
        int start = operations.indexOf("\n" + heading + "\n");
        assertThat(start).as(heading + " in docs/OPERATIONS.md").isNotNegative();
        int end = operations.indexOf("\n## ", start + heading.length() + 1);
        Matcher row = ROW.matcher(operations.substring(start, end < 0 ? operations.length() : end));
        Map<String, String> found = new TreeMap<>();
        while (row.find()) {
            found.put(row.group(1), row.group(2));
        }
        return found;
    }

    @Test
    void everySettingTheServiceReadsIsDocumentedUnderItsName() {
        assertThat(REAL).as("settings found in the code").hasSizeGreaterThan(40);
        assertThat(rows("## Configure").keySet()).containsAll(REAL.keySet());
    }

    @Test
    void everyDocumentedSettingExists() {
        assertThat(REAL.keySet()).containsAll(rows("## Configure").keySet());
        assertThat(REAL.keySet()).containsAll(rows("## Limits").keySet());
    }

    /** The default column, where it starts with a value in backticks, is the default the service uses. */
    @Test
    void documentedDefaultsAreTheRealOnes() {
        Pattern value = Pattern.compile("^ `[A-Z0-9_]+` \\| `([^`]*)`");
        Map<String, String> documented = new TreeMap<>();
        Map<String, String> real = new TreeMap<>();
        rows("## Configure").forEach((key, rest) -> {
            Matcher m = value.matcher(rest);
            if (m.find() && REAL.containsKey(key) && REAL.get(key).isPresent()) {
                documented.put(key, m.group(1));
                real.put(key, REAL.get(key).get().replace("${user.home}", "~"));
            }
        });
        assertThat(documented).as("documented defaults compared").hasSizeGreaterThan(30);
        assertThat(documented).isEqualTo(real);
    }

    @Test
    void eachRowNamesItsEnvironmentVariable() {
        rows("## Configure").forEach((key, rest) -> assertThat(rest)
                .startsWith(" `" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_') + "` |"));
    }
}
