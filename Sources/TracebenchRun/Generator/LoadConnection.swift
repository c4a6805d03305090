import NIOCore

/// One keep-alive HTTP/1.1 connection of the load generators, the only handler of its channel: writes a rendered
/// request as it is, reads the response with ``HTTPResponseReader`` and hands it to the waiting completion. One
/// request at a time (no pipelining): bytes that come while no request waits, or after a response ends, are an answer
/// nobody asked for, and the connection is closed. Lives on its channel's event loop only.
final class LoadConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    typealias Completion = (Result<LoadResponse, LoadRequestError>) -> Void

    /// The longest body kept for a caller that reads it.
    static let maxBody = 1 << 20

    let endpoint: LoadEndpoint
    /// Called once when the channel closes (by either side), on the event loop.
    var closed: ((LoadConnection) -> Void)?
    private var context: ChannelHandlerContext?
    private var waiting: Completion?
    private var reader = HTTPResponseReader(maxBody: LoadConnection.maxBody)
    /// Set once tracebench closes it (the channel may stay active a little longer).
    private var closing = false
    /// When the request in flight was written (for the timeout), and when the connection last went idle.
    private(set) var busySince: NIODeadline?
    private(set) var idleSince = NIODeadline.now()

    init(endpoint: LoadEndpoint) {
        self.endpoint = endpoint
    }

    var isUsable: Bool { !closing && context?.channel.isActive == true && waiting == nil && reader.keepAlive }

    /// Writes `request`; `completion` runs once, on the event loop, with the response or the reason there is none.
    func send(_ request: LoadRequest, completion: @escaping Completion) {
        guard let context, context.channel.isActive else {
            completion(.failure(LoadRequestError(message: "the connection to \(endpoint) closed")))
            return
        }
        waiting = completion
        reader.expect(keepsBody: request.keepsBody, expectsBody: request.expectsBody)
        busySince = context.eventLoop.now
        context.writeAndFlush(wrapOutboundOut(request.bytes), promise: nil)
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
        guard waiting != nil else {
            close(failing: "")  // an answer nobody asked for
            return
        }
        var bytes = unwrapInboundIn(data)
        do throws(LoadRequestError) {
            guard let response = try reader.feed(&bytes) else { return }
            if !reader.keepAlive || reader.hasUnreadBytes { closing = true }
            finish(.success(response))
            if closing { context.close(promise: nil) }
        } catch {
            close(failing: "\(endpoint): \(error.message)")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(failing: "\(endpoint): \(error)")
    }

    func channelInactive(context: ChannelHandlerContext) {
        if waiting != nil {
            do throws(LoadRequestError) {
                if let response = try reader.end() { finish(.success(response)) }
            } catch {}
        }
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
