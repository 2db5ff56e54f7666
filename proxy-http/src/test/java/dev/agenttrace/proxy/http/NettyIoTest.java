package dev.agenttrace.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.Test;

/** Runs in both surefire executions: on Linux the default one uses epoll, the other Java NIO. */
class NettyIoTest {
    @Test
    void theTransportIsNativeEpollUnlessNioIsAskedForOrEpollCannotLoad() {
        boolean nio = Boolean.getBoolean("agenttrace.http.nio");
        boolean expectEpoll = !nio && Epoll.isAvailable();
        assertEquals(expectEpoll, NettyIo.EPOLL);
        assertEquals(expectEpoll ? EpollSocketChannel.class : NioSocketChannel.class, NettyIo.channel());
        if (System.getProperty("os.name").startsWith("Linux") && !nio) {
            assertEquals(true, NettyIo.EPOLL, "epoll should load on Linux: " + Epoll.unavailabilityCause());
        }
    }
}
