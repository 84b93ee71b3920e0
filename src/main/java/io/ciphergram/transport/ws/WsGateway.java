package io.ciphergram.transport.ws;

import jakarta.inject.Inject;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.vertx.core.buffer.Buffer;

/**
 * The WebSocket gateway's endpoint, {@code /ws}: each connection is one v2 participant, each binary frame
 * one v2 datagram each way. It translates framing only: it never holds a key or plaintext (the browser does
 * all the cryptography). Runs on the connection's event loop and hands everything to {@link WsTransport}.
 */
@WebSocket(path = "/ws")
public class WsGateway {

    /** RFC 6455 section 7.4.1: "a message that violates its policy". */
    static final int POLICY_VIOLATION = 1008;

    @Inject
    WsTransport transport;

    @OnOpen
    @NonBlocking
    void open(WebSocketConnection connection) {
        transport.opened(connection);
    }

    @OnBinaryMessage
    @NonBlocking
    void datagram(WebSocketConnection connection, Buffer frame) {
        transport.datagram(connection, frame);
    }

    /** The protocol is binary; a text frame ends the connection. */
    @OnTextMessage
    @NonBlocking
    void text(WebSocketConnection connection, String text) {
        transport.refuse(connection, new CloseReason(POLICY_VIOLATION, "binary frames only"));
    }

    @OnClose
    @NonBlocking
    void closed(WebSocketConnection connection) {
        transport.closed(connection);
    }
}
