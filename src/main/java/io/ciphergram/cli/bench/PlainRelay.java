package io.ciphergram.cli.bench;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code --baseline plain}: the ceiling a relay on this machine could reach. One thread
 * ({@code ciphergram-bench-plain-relay}) receives each datagram and sends it on, unchanged, once to every
 * known client but its sender: no parsing, no crypto, no state. The generator's clients then share one
 * session key, so each delivery still costs the receiver what a Ciphergram delivery costs it.
 */
public final class PlainRelay implements AutoCloseable {

    private static final int RECEIVE_BUFFER = 4 << 20;

    private final DatagramChannel channel;
    private final List<InetSocketAddress> clients;
    private final InetSocketAddress address;
    private final Thread thread;
    private final LongAdder forwarded = new LongAdder();
    private volatile boolean running = true;

    private PlainRelay(DatagramChannel channel, List<InetSocketAddress> clients) throws IOException {
        this.channel = channel;
        this.clients = List.copyOf(clients);
        this.address = (InetSocketAddress) channel.getLocalAddress();
        this.thread = new Thread(this::run, "ciphergram-bench-plain-relay");
        thread.setDaemon(true);
    }

    /** Binds to {@code bind} (port 0 for any) and relays among {@code clients}, which are known up front. */
    public static PlainRelay start(InetSocketAddress bind, List<InetSocketAddress> clients) throws IOException {
        DatagramChannel channel = DatagramChannel.open(bind.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
            channel.bind(bind);
            PlainRelay relay = new PlainRelay(channel, clients);
            relay.thread.start();
            return relay;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Datagrams sent on so far (one per recipient). */
    public long forwarded() {
        return forwarded.sum();
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(65_536);
        try {
            while (running) {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                buffer.flip();
                for (InetSocketAddress to : clients) {
                    if (!to.equals(from)) {
                        buffer.rewind();
                        channel.send(buffer, to);
                        forwarded.increment();
                    }
                }
            }
        } catch (ClosedChannelException e) {
            // closed: the run is over
        } catch (IOException e) {
            if (running) {
                System.err.println("error: the plain relay stopped: " + e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            channel.close();
            thread.join(2_000);
        } catch (IOException e) {
            // closing anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
