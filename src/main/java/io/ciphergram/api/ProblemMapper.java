package io.ciphergram.api;

import java.util.Locale;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

/** Every error becomes RFC 9457 problem details: one shape, whatever went wrong. */
public final class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    private static final String UNREADABLE = "the body is not the JSON this operation takes";

    private ProblemMapper() {
    }

    /** Errors the framework raises (unknown path, wrong method, unreadable body …) keep their status. */
    @Provider
    public static final class ForWebApplicationErrors implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            Response.Status status = Response.Status.fromStatusCode(e.getResponse().getStatus());
            if (status == null) {
                status = Response.Status.BAD_REQUEST;
            }
            return Problem.response(status, status.getReasonPhrase().toLowerCase(Locale.ROOT));
        }
    }

    /** A body that is not JSON, or JSON of the wrong shape. */
    @Provider
    public static final class ForUnreadableJson implements ExceptionMapper<JsonProcessingException> {
        @Override
        public Response toResponse(JsonProcessingException e) {
            return Problem.response(Response.Status.BAD_REQUEST, UNREADABLE);
        }
    }

    /** JSON of the wrong shape (Quarkus maps this subtype itself, with an empty body, unless told otherwise). */
    @Provider
    public static final class ForMismatchedJson implements ExceptionMapper<MismatchedInputException> {
        @Override
        public Response toResponse(MismatchedInputException e) {
            return Problem.response(Response.Status.BAD_REQUEST, UNREADABLE);
        }
    }

    /** A bug: the client learns only that it happened; the log gets the cause (requests carry no secrets). */
    @Provider
    public static final class ForBugs implements ExceptionMapper<RuntimeException> {
        @Override
        public Response toResponse(RuntimeException e) {
            LOG.error("an admin API request failed", e);
            return Problem.response(Response.Status.INTERNAL_SERVER_ERROR, "the server failed to answer");
        }
    }
}
