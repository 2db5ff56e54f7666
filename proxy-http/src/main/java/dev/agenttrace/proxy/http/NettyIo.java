package dev.agenttrace.proxy.http;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * Which I/O the event loops use: Netty's native epoll transport on Linux (netty-all ships it),
 * Java NIO elsewhere or when the native library cannot load (a read-only temp directory, say).
 * Client and upstream channels must match the loops they are registered with. Public for
 * {@code agent-trace serve} (module hooks), which listens the same way.
 */
public final class NettyIo {
    /** Set {@code -Dagenttrace.http.nio=true} to force Java NIO (to compare, or to work around a native problem). */
    static final boolean EPOLL = !Boolean.getBoolean("agenttrace.http.nio") && Epoll.isAvailable();

    private NettyIo() {
    }

    public static IoHandlerFactory handlers() {
        return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    public static Class<? extends ServerChannel> serverChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    static Class<? extends SocketChannel> channel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
