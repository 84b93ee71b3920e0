package io.ciphergram.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Guards {@code /api}: off (404 for every path) unless {@code ciphergram.admin.token} is set; then every
 * request needs {@code Authorization: Bearer <token>}. A missing and a wrong token get the same 401, the
 * same body and the same work: both sides are hashed and compared in constant time, so neither the answer
 * nor its timing says how much of a guess was right. The token is never logged.
 */
@Provider
@PreMatching
public class AdminAuthentication implements ContainerRequestFilter {

    private static final String PREFIX = "Bearer ";

    private final byte[] expected;

    public AdminAuthentication(@ConfigProperty(name = "ciphergram.admin.token") Optional<String> token) {
        this.expected = token.filter(t -> !t.isBlank()).map(AdminAuthentication::digest).orElse(null);
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.equals("/api") && !path.startsWith("/api/")) {
            return;
        }
        if (expected == null) {
            request.abortWith(Problem.response(Response.Status.NOT_FOUND, "the admin API is off: set ciphergram.admin.token"));
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String presented = header != null && header.startsWith(PREFIX) ? header.substring(PREFIX.length()) : "";
        if (!MessageDigest.isEqual(expected, digest(presented))) {
            Response unauthorized = Problem.response(Response.Status.UNAUTHORIZED, "a valid bearer token is required");
            request.abortWith(Response.fromResponse(unauthorized)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"ciphergram\"").build());
        }
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
