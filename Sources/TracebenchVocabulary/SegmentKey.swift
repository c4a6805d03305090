/// How the analyses name a span kind and a service-to-service edge, in results keys, summaries and metric paths —
/// defined once here.
public enum SegmentKey {
    /// `service/span`, e.g. `emp-worker/comfyui-call`: spans of one name in one service.
    public static func of(service: String, span: String) -> String { service + "/" + span }

    /// The critical path's time between a span's end and the start of an asynchronous child it handed work to
    /// (the enqueue span's end → the claim span's start): time the work spent waiting, in no span.
    public static let queue = "queue"

    /// `caller->callee`, e.g. `emp-job-queue-api->emp-worker`: an edge of the service topology.
    public static func edge(caller: String, callee: String) -> String { caller + "->" + callee }
}
