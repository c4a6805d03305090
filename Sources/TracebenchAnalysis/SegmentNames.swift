import TracebenchVocabulary

/// Small integer ids for the services and `service/span` segments of an analysis, so the per-span work compares and
/// indexes integers; each ``SegmentKey`` string is built once, the first time its pair is met.
struct SegmentNames {
    /// Id of the ``SegmentKey/queue`` segment (time waiting between an enqueue span's end and the claim).
    static let queue: Int32 = 0

    /// Service names by id.
    private(set) var services: [String] = []
    /// Segment keys by id (``SegmentKey/of(service:span:)``, and ``SegmentKey/queue`` at ``queue``).
    private(set) var keys: [String] = [SegmentKey.queue]
    private var serviceIDs: [String: Int32] = [:]
    private var segmentIDs: [Pair: Int32] = [:]
    /// The last service looked up: spans of one request share their resource's service name.
    private var lastService: (name: String, id: Int32)?

    private struct Pair: Hashable {
        var service: Int32
        var span: String
    }

    /// The id of a service name.
    mutating func service(_ name: String) -> Int32 {
        if let last = lastService, last.name == name { return last.id }
        let id = serviceIDs[name] ?? {
            services.append(name)
            serviceIDs[name] = Int32(services.count - 1)
            return Int32(services.count - 1)
        }()
        lastService = (name, id)
        return id
    }

    /// The id of a span name within a service.
    mutating func segment(service: Int32, span: String) -> Int32 {
        let pair = Pair(service: service, span: span)
        if let id = segmentIDs[pair] { return id }
        keys.append(SegmentKey.of(service: services[Int(service)], span: span))
        segmentIDs[pair] = Int32(keys.count - 1)
        return Int32(keys.count - 1)
    }
}
