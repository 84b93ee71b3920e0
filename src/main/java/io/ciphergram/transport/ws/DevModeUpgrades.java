package io.ciphergram.transport.ws;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.dev.console.DevConsoleManager;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/**
 * Dev mode only: a WebSocket upgrade never waits for a live reload. In dev mode every request first goes
 * through Quarkus's hot-replacement handler, which scans for changes (and restarts the application) on a
 * worker thread and only then lets the request go on. An upgrade does not survive that wait: Vert.x
 * upgrades only a request it has not read to the end, and the request is read meanwhile, so the upgrade
 * failed with "Request has already been read", logged as an ERROR. The page met it after nearly every
 * reload, because a reload closes every WebSocket and the page is back within a second, while the reload is
 * still under way.
 *
 * <p>So an upgrade goes on at once, marked as scanned (the header that handler itself sets on a request it
 * has restarted for); page loads and other requests still trigger the scan. One that arrives while a reload
 * is under way would reach the application being stopped, so it is answered 503 instead: the page tries
 * again with its backoff and reaches the new one. This route has the hot-replacement handler's order and
 * is added before it, so it runs first.
 */
@ApplicationScoped
@IfBuildProfile("dev")
class DevModeUpgrades {

    /** VertxHttpHotReplacementSetup's mark of a request that needs no scan. */
    private static final String SCANNED = "x-quarkus-hot-deployment-done";
    private static final int SERVICE_UNAVAILABLE = 503;

    void upgradesSkipTheScan(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(context -> {
            if (!context.request().headers().contains(HttpHeaders.UPGRADE, HttpHeaders.WEBSOCKET, true)) {
                context.next();
            } else if (DevConsoleManager.isDoingHttpInitiatedReload()) {
                context.response().setStatusCode(SERVICE_UNAVAILABLE).putHeader(HttpHeaders.RETRY_AFTER, "1")
                        .end("a live reload is under way");
            } else {
                context.request().headers().set(SCANNED, "true");
                context.next();
            }
        });
    }
}
