import AsyncHTTPClient
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import TracebenchScenario
import TracebenchSink

/// Sends pre-encoded OTLP `ExportTraceServiceRequest` messages, as the firehose does: `POST /v1/traces` with
/// `application/x-protobuf` over the run's shared HTTP client, or `TraceService/Export` over one gRPC client
/// (HTTP/2, plaintext) that lives as long as the sender.
final class OTLPSender: Sendable {
    private enum Transport: Sendable {
        case http(HTTPClient, url: String)
        case grpc(GRPCClient<HTTP2ClientTransport.Posix>, connections: Task<Void, Never>)
    }

    private let transport: Transport

    /// - Parameters:
    ///   - endpoint: `http://host:port/v1/traces` for HTTP, `http://host:port` for gRPC.
    ///   - httpClient: used for HTTP; the caller owns and shuts it down.
    init(endpoint: String, protocol wire: TracingSpec.WireProtocol, httpClient: HTTPClient) throws(RunFailure) {
        guard wire == .grpc else {
            transport = .http(httpClient, url: endpoint)
            return
        }
        guard let url = URLComponents(string: endpoint), let host = url.host, let port = url.port, url.scheme == "http" else {
            throw .scenario("the gRPC endpoint must be http://host:port (plaintext), got '\(endpoint)'")
        }
        let client: GRPCClient<HTTP2ClientTransport.Posix>
        do {
            client = GRPCClient(transport: try HTTP2ClientTransport.Posix(
                target: .dns(host: host, port: port), transportSecurity: .plaintext
            ))
        } catch {
            throw .environment("cannot create a gRPC client for \(endpoint): \(error)")
        }
        transport = .grpc(client, connections: Task { try? await client.runConnections() })
    }

    /// Sends one request; nil when the receiver accepted it, else why not.
    func send(_ body: [UInt8]) async -> String? {
        switch transport {
        case .http(let client, let url):
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-protobuf")
            request.body = .bytes(ByteBuffer(bytes: body))
            do {
                let response = try await client.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 1 << 20)
                return (200..<300).contains(response.status.code) ? nil : "HTTP \(response.status.code)"
            } catch {
                return "\(error)"
            }
        case .grpc(let client, _):
            var options = CallOptions.defaults
            options.timeout = .seconds(30)
            do {
                return try await client.unary(
                    request: ClientRequest(message: body), descriptor: OTLPGRPCReceiver.exportMethod,
                    serializer: RawMessage(), deserializer: RawMessage(), options: options
                ) { response -> String? in
                    switch response.accepted {
                    case .success: nil
                    case .failure(let error): "gRPC \(error.code)"
                    }
                }
            } catch {
                return "\(error)"
            }
        }
    }

    /// Closes the gRPC connections (the HTTP client is the caller's).
    func close() async {
        guard case .grpc(let client, let connections) = transport else { return }
        client.beginGracefulShutdown()
        await connections.value
    }
}
