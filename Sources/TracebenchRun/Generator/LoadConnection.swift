import CSystemShims
import Glibc
import NIOCore

/// One keep-alive HTTP/1.1 connection of the load generators on a non-blocking socket of a ``SendLoop``: connects,
/// writes a rendered request as it is (the rest when the socket is full, once it drains), reads the response with
/// ``HTTPResponseReader`` and hands it to the waiting completion. One request at a time (no pipelining): bytes that come
/// while no request waits, or after a response ends, are an answer nobody asked for, and the connection is closed.
/// Lives on its loop's thread only.
final class LoadConnection: SocketHandler {
    typealias Completion = (Result<LoadResponse, LoadRequestError>) -> Void

    /// The longest body kept for a caller that reads it.
    static let maxBody = 1 << 20

    let endpoint: LoadEndpoint
    let loop: SendLoop
    /// Called once when the connection has connected (nil) or could not (the reason).
    var connected: ((LoadConnection, LoadRequestError?) -> Void)?
    /// Called once when the connection closes (by either side).
    var closed: ((LoadConnection) -> Void)?
    /// Called after each request's completion has run: the connection is free for the next (set once, so a request
    /// allocates no closure of the pool's own).
    var released: ((LoadConnection) -> Void)?
    private var fd: Int32
    private var token: UInt64 = 0
    private var connecting = true
    private var waiting: Completion?
    private var reader = HTTPResponseReader(maxBody: LoadConnection.maxBody)
    /// Bytes of the request in flight the socket has not taken yet.
    private var unwritten: ByteBuffer?
    /// Whether the loop reports the socket writable (while connecting, and while a request waits for room).
    private var watchingWritable = true
    /// When the last bytes read reached the socket (the kernel's receive timestamp, µs since the epoch).
    private var lastReceivedMicros: Int64?
    /// Set once tracebench closes it.
    private var closing = false
    /// When the connection started connecting or the request in flight was written (for the timeouts), and when the
    /// connection last went idle (monotonic ns).
    private(set) var busySince: Int64?
    private(set) var idleSince: Int64

    /// Starts connecting to `address` (a `sockaddr` of `length` bytes); throws when no socket could be made or the
    /// connect failed at once.
    init(endpoint: LoadEndpoint, address: SocketAddressBytes, loop: SendLoop) throws(LoadRequestError) {
        self.endpoint = endpoint
        self.loop = loop
        idleSince = SendLoop.now()
        busySince = idleSince
        fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw LoadRequestError(message: "cannot connect to \(endpoint): \(Self.errorText())") }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = tracebench_enable_receive_timestamps(fd)
        let result = address.withSockaddr { connect(fd, $0, $1) }
        guard result == 0 || errno == EINPROGRESS else {
            let reason = Self.errorText()
            Glibc.close(fd)
            fd = -1
            throw LoadRequestError(message: "cannot connect to \(endpoint): \(reason)")
        }
        token = loop.register(fd, handler: self, writable: true)
    }

    var isUsable: Bool { !closing && !connecting && fd >= 0 && waiting == nil && reader.keepAlive }
    var isConnecting: Bool { connecting }

    /// Why a request in flight got no response, as far as this side can tell: bytes it sent still unacknowledged mean
    /// the target's TCP never took them — a host that is gone, or a listen backlog that overflowed (the kernel answers
    /// with SYN cookies and drops the handshake's last packet, so the connection is open on this side only); "" when
    /// the target took the request and did not answer.
    var unansweredHint: String {
        tracebench_unacknowledged_bytes(fd) > 0 ? "; the target's TCP never acknowledged what was sent (a listen backlog that overflowed? a host that is gone?)" : ""
    }

    /// Writes `request`; `completion` runs once, on the loop's thread, with the response or the reason there is none.
    func send(_ request: LoadRequest, completion: @escaping Completion) {
        guard fd >= 0, !closing, !connecting else {
            completion(.failure(LoadRequestError(message: "the connection to \(endpoint) closed")))
            return
        }
        waiting = completion
        lastReceivedMicros = nil
        reader.expect(keepsBody: request.keepsBody, expectsBody: request.expectsBody)
        busySince = SendLoop.now()
        unwritten = request.bytes
        writeRest()
    }

    /// Closes the connection; a request in flight fails with `reason`.
    func close(failing reason: String) {
        closing = true
        finish(.failure(LoadRequestError(message: reason)))
        shut(failing: reason)
    }

    func writable() {
        if connecting {
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            connecting = false
            watchWritable(false)
            // A failed connect closes through `close`, which tells `connected` why.
            if error != 0 { return close(failing: "cannot connect to \(endpoint): \(String(cString: strerror(error)))") }
            busySince = nil
            let callback = connected
            connected = nil
            callback?(self, nil)
            return
        }
        writeRest()
    }

    func readable() {
        guard !connecting else { return writable() }  // a refused connect reports as a hang-up
        var count = 0
        var receivedNanos: Int64 = 0
        loop.readBuffer.clear()
        loop.readBuffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 16 * 1024) { buffer in
            count = tracebench_recv_timestamped(fd, buffer.baseAddress, UInt(buffer.count), &receivedNanos)
            return max(0, count)
        }
        if count > 0 {
            guard waiting != nil else { return close(failing: "") }  // an answer nobody asked for
            if receivedNanos > 0 { lastReceivedMicros = receivedNanos / 1000 }
            do throws(LoadRequestError) {
                guard var response = try reader.feed(&loop.readBuffer) else { return }
                response.receivedMicros = lastReceivedMicros
                if !reader.keepAlive || reader.hasUnreadBytes { closing = true }
                finish(.success(response))
                if closing { shut() }
            } catch {
                close(failing: "\(endpoint): \(error.message)")
            }
        } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
            let reason = count == 0 ? nil : Self.errorText()
            if waiting != nil, reason == nil {
                do throws(LoadRequestError) {
                    if var response = try reader.end() {
                        response.receivedMicros = lastReceivedMicros
                        finish(.success(response))
                    }
                } catch {}
            }
            closing = true
            finish(.failure(LoadRequestError(message: reason.map { "\(endpoint): \($0)" }
                                                 ?? "the connection to \(endpoint) closed before the response ended")))
            shut()
        }
    }

    private func writeRest() {
        guard var bytes = unwritten else { return }
        while bytes.readableBytes > 0 {
            let written = bytes.withUnsafeReadableBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written > 0 {
                bytes.moveReaderIndex(forwardBy: written)
            } else if written < 0, errno == EINTR {
                continue
            } else if written < 0, errno == EAGAIN {
                unwritten = bytes
                watchWritable(true)  // the rest goes once the socket drains
                return
            } else {
                return close(failing: "\(endpoint): \(Self.errorText())")
            }
        }
        unwritten = nil
        watchWritable(false)
    }

    private func watchWritable(_ writable: Bool) {
        guard writable != watchingWritable, fd >= 0 else { return }
        watchingWritable = writable
        loop.watch(fd, token: token, writable: writable)
    }

    /// Stops watching and closes the socket, once; a connect under way fails with `reason`.
    private func shut(failing reason: String = "") {
        guard fd >= 0 else { return }
        loop.deregister(fd, token: token)
        Glibc.close(fd)
        fd = -1
        if let connected {
            self.connected = nil
            connected(self, LoadRequestError(message: reason.isEmpty ? "the connection to \(endpoint) closed" : reason))
        }
        closed?(self)
        closed = nil
    }

    private func finish(_ result: Result<LoadResponse, LoadRequestError>) {
        guard let waiting else { return }
        self.waiting = nil
        busySince = nil
        unwritten = nil
        idleSince = SendLoop.now()
        waiting(result)
        released?(self)
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}

/// A resolved socket address, as `getaddrinfo` gave it.
struct SocketAddressBytes: Sendable {
    var family: Int32
    var storage: sockaddr_storage
    var length: socklen_t

    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        withUnsafePointer(to: storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    /// Every TCP address `host` names (numeric or by name), in `getaddrinfo`'s order; throws the resolver's reason.
    static func resolve(host: String, port: Int) throws(LoadRequestError) -> [SocketAddressBytes] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else {
            throw LoadRequestError(message: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddressBytes] = []
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            if let address = current.pointee.ai_addr, Int(current.pointee.ai_addrlen) <= MemoryLayout<sockaddr_storage>.size {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(current.pointee.ai_addrlen))) }
                addresses.append(SocketAddressBytes(family: current.pointee.ai_family, storage: storage, length: current.pointee.ai_addrlen))
            }
            entry = current.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw LoadRequestError(message: "cannot resolve \(host): no address") }
        return addresses
    }
}
