import NIOCore
import NIOPosix

/// The load generators' HTTP client: keep-alive HTTP/1.1 connections, one pool per event loop, so a request is
/// rendered, written and answered on the thread that dispatched its arrival (``ArrivalLanes``). Connections open on
/// demand up to a per-loop cap; requests beyond it wait for the next free connection (their lateness is in their
/// latency, which counts from the intended start). Idle connections are reused last-in first-out and closed after
/// an idle timeout (2 s by default: below Node's 5 s keep-alive default, so a reused connection is not one the server
/// is closing); a request unanswered for its timeout fails.
final class LoadHTTPClient: Sendable {
    static let connectTimeout: TimeAmount = .seconds(10)

    let loops: [any EventLoop]
    /// Where request buffers come from.
    let allocator = ByteBufferAllocator()
    private let pools: [Pool]

    /// `maxConnections` in all, spread over `loops`; a request unanswered for `requestTimeout` fails; a connection idle
    /// for `idleTimeout` is closed.
    init(loops: [any EventLoop], maxConnections: Int, requestTimeout: TimeAmount = .seconds(30), idleTimeout: TimeAmount = .seconds(2)) {
        self.loops = loops
        let perLoop = max(1, (maxConnections + loops.count - 1) / loops.count)
        pools = loops.map { Pool(loop: $0, maxConnections: perLoop, requestTimeout: requestTimeout, idleTimeout: idleTimeout) }
    }

    /// Sends `request` from lane `lane`'s pool; `completion` runs once on that lane's event loop. Call it on that loop.
    func execute(_ request: LoadRequest, lane: Int, completion: @escaping (Result<LoadResponse, LoadRequestError>) -> Void) {
        pools[lane].execute(request, completion: completion)
    }

    /// Closes every connection.
    func shutdown() async {
        for pool in pools { try? await pool.loop.submit { pool.closeAll() }.get() }
    }

    /// One event loop's connections.
    ///
    /// `@unchecked Sendable`: its mutable state is read and written only on `loop` (callers are on it; the sweep is
    /// scheduled on it; connection callbacks run on it), so no two threads ever touch it.
    final class Pool: @unchecked Sendable {
        typealias Completion = (Result<LoadResponse, LoadRequestError>) -> Void

        let loop: any EventLoop
        let maxConnections: Int
        let requestTimeout: TimeAmount
        let idleTimeout: TimeAmount
        private var idle: [LoadConnection] = []
        /// Every connection set up and not closed yet (the sweep looks for requests past their timeout among them).
        private var connections: [LoadConnection] = []
        private var open = 0
        private var pending = CircularBuffer<(LoadRequest, Completion)>()
        private var sweep: RepeatedTask?

        init(loop: any EventLoop, maxConnections: Int, requestTimeout: TimeAmount, idleTimeout: TimeAmount) {
            self.loop = loop
            self.maxConnections = maxConnections
            self.requestTimeout = requestTimeout
            self.idleTimeout = idleTimeout
        }

        func execute(_ request: LoadRequest, completion: @escaping Completion) {
            loop.assertInEventLoop()
            if sweep == nil {
                sweep = loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in self.closeStale() }
            }
            while let connection = idle.popLast() {
                if connection.isUsable, connection.endpoint == request.endpoint {
                    send(request, on: connection, completion: completion)
                    return
                }
                connection.close(failing: "")
            }
            if open < maxConnections {
                connect(for: request, completion: completion)
            } else {
                pending.append((request, completion))
            }
        }

        private func send(_ request: LoadRequest, on connection: LoadConnection, completion: @escaping Completion) {
            connection.send(request) { result in
                completion(result)
                self.release(connection)
            }
        }

        /// A connection finished its request: the next waiting request takes it, or it goes idle.
        private func release(_ connection: LoadConnection) {
            guard connection.isUsable else {
                connection.close(failing: "")
                return
            }
            if let (request, completion) = pending.popFirst() {
                if request.endpoint == connection.endpoint {
                    send(request, on: connection, completion: completion)
                } else {
                    connection.close(failing: "")
                    connect(for: request, completion: completion)
                }
            } else {
                idle.append(connection)
            }
        }

        private func connect(for request: LoadRequest, completion: @escaping Completion) {
            open += 1
            let endpoint = request.endpoint
            ClientBootstrap(group: loop)
                .connectTimeout(LoadHTTPClient.connectTimeout)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(LoadConnection(endpoint: endpoint))
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port)
                .assumeIsolated()  // the channel is on `loop`, so its future completes there: the pool's state stays on one thread
                .whenComplete { result in
                    switch result {
                    case let .success(channel):
                        guard let connection = try? channel.pipeline.syncOperations.handler(type: LoadConnection.self) else {
                            channel.close(promise: nil)
                            self.closed()
                            completion(.failure(LoadRequestError(message: "cannot set up a connection to \(endpoint)")))
                            return
                        }
                        self.connections.append(connection)
                        connection.closed = { [weak self] connection in
                            self?.connections.removeAll { $0 === connection }
                            self?.closed()
                        }
                        self.send(request, on: connection, completion: completion)
                    case let .failure(error):
                        self.closed()
                        completion(.failure(LoadRequestError(message: "cannot connect to \(endpoint): \(error)")))
                    }
                }
        }

        /// A connection closed (or never opened): a waiting request may open a new one.
        private func closed() {
            open -= 1
            if open < maxConnections, let (request, completion) = pending.popFirst() {
                connect(for: request, completion: completion)
            }
        }

        /// Closes idle connections past `idleTimeout` and fails requests past `requestTimeout`.
        private func closeStale() {
            let now = loop.now
            idle.removeAll { connection in
                guard now - connection.idleSince > idleTimeout else { return false }
                connection.close(failing: "")
                return true
            }
            for connection in connections {
                if let since = connection.busySince, now - since > requestTimeout {
                    connection.close(failing: "no response from \(connection.endpoint) within \(Double(requestTimeout.nanoseconds) / 1e9) s")
                }
            }
        }

        func closeAll() {
            sweep?.cancel()
            sweep = nil
            for connection in idle { connection.close(failing: "") }
            idle = []
            for connection in connections where connection.busySince != nil { connection.close(failing: "the load generator stopped") }
            while let (_, completion) = pending.popFirst() { completion(.failure(LoadRequestError(message: "the load generator stopped"))) }
        }
    }
}
