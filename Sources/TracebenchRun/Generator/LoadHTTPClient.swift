import NIOCore

/// The load generators' HTTP client: keep-alive HTTP/1.1 connections, one pool per ``SendLoop``, so a request is
/// rendered, written and answered on the thread that dispatched its arrival (``ArrivalLanes``). Connections open on
/// demand up to a per-loop cap; requests beyond it wait for the next free connection (their lateness is in their
/// latency, which counts from the intended start). Idle connections are reused last-in first-out and closed after
/// an idle timeout (2 s by default: below Node's 5 s keep-alive default, so a reused connection is not one the server
/// is closing); a request unanswered for its timeout fails. A host name is resolved once per loop, at its first
/// connection; when an address refuses, the next one the resolver gave is tried.
final class LoadHTTPClient: Sendable {
    static let connectTimeout: Int64 = 10_000_000_000

    let loops: [SendLoop]
    /// Where request buffers come from.
    let allocator = ByteBufferAllocator()
    private let pools: [Pool]

    /// Starts `lanes` ``SendLoop``s (stopped by ``shutdown()``) with `maxConnections` in all, spread over them; a
    /// request unanswered for `requestTimeout` fails; a connection idle for `idleTimeout` is closed (both in seconds).
    init(lanes: Int, maxConnections: Int, requestTimeout: Double = 30, idleTimeout: Double = 2) {
        let loops = SendLoop.start(count: lanes)
        self.loops = loops
        let perLoop = max(1, (maxConnections + loops.count - 1) / loops.count)
        pools = loops.map {
            Pool(loop: $0, maxConnections: perLoop, requestTimeout: Int64(requestTimeout * 1e9), idleTimeout: Int64(idleTimeout * 1e9))
        }
    }

    /// Sends `request` from lane `lane`'s pool; `completion` runs once on that lane's loop. Call it on that loop.
    func execute(_ request: LoadRequest, lane: Int, completion: @escaping (Result<LoadResponse, LoadRequestError>) -> Void) {
        pools[lane].execute(request, completion: completion)
    }

    /// Closes every connection (requests in flight fail) and stops the loops.
    func shutdown() async {
        for pool in pools {
            await withCheckedContinuation { continuation in
                pool.loop.execute {
                    pool.closeAll()
                    continuation.resume()
                }
            }
            await pool.loop.stop()
        }
    }

    /// One loop's connections.
    ///
    /// `@unchecked Sendable`: its mutable state is read and written only on `loop`'s thread (callers are on it; the
    /// sweep is its timer; connection callbacks run on it), so no two threads ever touch it.
    final class Pool: TimerHandler, @unchecked Sendable {
        typealias Completion = (Result<LoadResponse, LoadRequestError>) -> Void

        let loop: SendLoop
        let maxConnections: Int
        let requestTimeout: Int64
        let idleTimeout: Int64
        private var idle: [LoadConnection] = []
        /// Every connection set up and not closed yet (the sweep looks for requests past their timeout among them).
        private var connections: [LoadConnection] = []
        private var open = 0
        private var pending = CircularBuffer<(LoadRequest, Completion)>()
        private var sweeping = false
        /// Each endpoint's addresses, the one that connected last first.
        private var addresses: [LoadEndpoint: [SocketAddressBytes]] = [:]

        init(loop: SendLoop, maxConnections: Int, requestTimeout: Int64, idleTimeout: Int64) {
            self.loop = loop
            self.maxConnections = maxConnections
            self.requestTimeout = requestTimeout
            self.idleTimeout = idleTimeout
        }

        func execute(_ request: LoadRequest, completion: @escaping Completion) {
            if !sweeping {
                sweeping = true
                loop.arm(self, at: SendLoop.now() + 1_000_000_000)
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
            connection.send(request, completion: completion)  // then `released`: the connection comes back
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

        /// Opens a connection for `request`, trying the endpoint's addresses from `attempt` on.
        private func connect(for request: LoadRequest, completion: @escaping Completion, attempt: Int = 0) {
            let endpoint = request.endpoint
            let candidates: [SocketAddressBytes]
            do throws(LoadRequestError) {
                if let known = addresses[endpoint] {
                    candidates = known
                } else {
                    candidates = try SocketAddressBytes.resolve(host: endpoint.host, port: endpoint.port)
                    addresses[endpoint] = candidates
                }
            } catch {
                return completion(.failure(error))
            }
            let connection: LoadConnection
            do throws(LoadRequestError) {
                connection = try LoadConnection(endpoint: endpoint, address: candidates[attempt], loop: loop)
            } catch {
                return attempt + 1 < candidates.count ? connect(for: request, completion: completion, attempt: attempt + 1) : completion(.failure(error))
            }
            open += 1
            connections.append(connection)
            connection.released = { [weak self] connection in self?.release(connection) }
            connection.closed = { [weak self] connection in
                self?.connections.removeAll { $0 === connection }
                self?.closed()
            }
            connection.connected = { [weak self] connection, failure in
                guard let self else { return }
                guard let failure else {
                    if attempt > 0 { addresses[endpoint]?.swapAt(0, attempt) }
                    return send(request, on: connection, completion: completion)
                }
                if attempt + 1 < candidates.count {
                    connect(for: request, completion: completion, attempt: attempt + 1)
                } else {
                    completion(.failure(failure))
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

        /// Every second: closes idle connections past `idleTimeout`, fails requests past `requestTimeout` and connections
        /// still connecting after ``LoadHTTPClient/connectTimeout``.
        func timerFired() {
            let now = SendLoop.now()
            idle.removeAll { connection in
                guard now - connection.idleSince > idleTimeout else { return false }
                connection.close(failing: "")
                return true
            }
            for connection in connections {
                guard let since = connection.busySince else { continue }
                if connection.isConnecting, now - since > LoadHTTPClient.connectTimeout {
                    connection.close(failing: "cannot connect to \(connection.endpoint): no answer within \(LoadHTTPClient.connectTimeout / 1_000_000_000) s")
                } else if !connection.isConnecting, now - since > requestTimeout {
                    connection.close(failing: "no response from \(connection.endpoint) within \(Double(requestTimeout) / 1e9) s" + connection.unansweredHint)
                }
            }
            loop.arm(self, at: now + 1_000_000_000)
        }

        func closeAll() {
            loop.disarm(self)
            sweeping = false
            for connection in idle { connection.close(failing: "") }
            idle = []
            for connection in connections { connection.close(failing: "the load generator stopped") }
            while let (_, completion) = pending.popFirst() { completion(.failure(LoadRequestError(message: "the load generator stopped"))) }
        }
    }
}
