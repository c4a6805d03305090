import NIOCore
import NIOHTTP1

/// One keep-alive HTTP/1.1 connection of the load generators, as the last handler of its channel: writes a rendered
/// request, reads the response through NIO's HTTP/1 decoder (llhttp), and hands it to the waiting completion. One
/// request at a time (no pipelining). Lives on its channel's event loop only.
final class LoadConnection: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart
    typealias Completion = (Result<LoadResponse, LoadRequestError>) -> Void

    /// The longest body kept for a caller that reads it.
    static let maxBody = 1 << 20
    /// The decoder learns each request's method from this head (it must know a HEAD's response has no body); the bytes
    /// on the wire are the rendered request's.
    private static let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")

    let endpoint: LoadEndpoint
    /// Called once when the channel closes (by either side), on the event loop.
    var closed: ((LoadConnection) -> Void)?
    private var context: ChannelHandlerContext?
    private var waiting: Completion?
    private var keepsBody = false
    private var response: LoadResponse?
    private var keepAlive = true
    /// Set once tracebench closes it (the channel may stay active a little longer).
    private var closing = false
    /// When the request in flight was written (for the timeout), and when the connection last went idle.
    private(set) var busySince: NIODeadline?
    private(set) var idleSince = NIODeadline.now()

    init(endpoint: LoadEndpoint) {
        self.endpoint = endpoint
    }

    var isUsable: Bool { !closing && context?.channel.isActive == true && waiting == nil && keepAlive }

    /// Writes `request`; `completion` runs once, on the event loop, with the response or the reason there is none.
    func send(_ request: LoadRequest, completion: @escaping Completion) {
        guard let context, context.channel.isActive else {
            completion(.failure(LoadRequestError(message: "the connection to \(endpoint) closed")))
            return
        }
        waiting = completion
        keepsBody = request.keepsBody
        response = nil
        busySince = context.eventLoop.now
        context.write(wrapOutboundOut(.head(Self.head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(request.bytes))), promise: nil)
    }

    /// Closes the connection; a request in flight fails with `reason`.
    func close(failing reason: String) {
        closing = true
        finish(.failure(LoadRequestError(message: reason)))
        context?.close(promise: nil)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            keepAlive = head.isKeepAlive
            response = LoadResponse(status: Int(head.status.code), headers: head.headers, body: keepsBody ? context.channel.allocator.buffer(capacity: 0) : nil)
        case var .body(part):
            guard response?.body != nil else { return }
            if response!.body!.readableBytes + part.readableBytes > Self.maxBody {
                close(failing: "the response body is over \(Self.maxBody) bytes")
                return
            }
            response!.body!.writeBuffer(&part)
        case .end:
            guard let response else { return }
            if !keepAlive { closing = true }
            finish(.success(response))
            if !keepAlive { context.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(failing: "\(endpoint): \(error)")
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(LoadRequestError(message: "the connection to \(endpoint) closed before the response ended")))
        self.context = nil
        closed?(self)
        closed = nil
    }

    private func finish(_ result: Result<LoadResponse, LoadRequestError>) {
        guard let waiting else { return }
        self.waiting = nil
        busySince = nil
        idleSince = context?.eventLoop.now ?? .now()
        waiting(result)
    }
}

/// Turns the request parts the decoder has seen into bytes: the head is the decoder's only (nothing is written for
/// it), the body is the rendered request.
final class RenderedRequestWriter: ChannelOutboundHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = ByteBuffer

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case let .body(.byteBuffer(bytes)): context.write(wrapOutboundOut(bytes), promise: promise)
        case .head, .body, .end: promise?.succeed()
        }
    }
}
