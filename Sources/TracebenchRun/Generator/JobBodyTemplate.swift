import NIOCore
import TracebenchScenario

/// A job's request body written as bytes straight into its request (the open loop's hot path): the template's text
/// runs are UTF-8 once, and the per-job values — `job_id` (`<run id>-<index>`), `priority`, `index`, the slots of
/// ``TargetLoad/SubmitTemplates/perJob`` in that order — are written as decimal digits, with no `String` built per
/// job. Writes exactly the bytes of `PlaceholderTemplate.render` for the same values (tested).
struct JobBodyTemplate: Sendable {
    private enum Piece: Sendable {
        case bytes([UInt8])
        case slot(Int)
    }

    private let pieces: [Piece]
    /// `<run id>-`: the job id's text before its index.
    private let idPrefix: [UInt8]

    init(_ template: PlaceholderTemplate, runID: String) {
        pieces = template.pieces.map { piece in
            switch piece {
            case let .text(text): .bytes(Array(text.utf8))
            case let .slot(slot): .slot(slot)
            }
        }
        idPrefix = Array("\(runID)-".utf8)
    }

    /// One job's placeholder values.
    struct Values {
        var index: Int
        var priority: Int
    }

    /// The body's length in bytes for `values`.
    func count(_ values: Values) -> Int {
        var total = 0
        for piece in pieces {
            switch piece {
            case let .bytes(bytes): total += bytes.count
            case .slot(0): total += idPrefix.count + Self.decimalCount(values.index)
            case .slot(1): total += Self.decimalCount(values.priority)
            case .slot(2): total += Self.decimalCount(values.index)
            case .slot: break
            }
        }
        return total
    }

    /// Appends the body for `values` to `buffer`.
    func write(_ values: Values, into buffer: inout ByteBuffer) {
        for piece in pieces {
            switch piece {
            case let .bytes(bytes): buffer.writeBytes(bytes)
            case .slot(0):
                buffer.writeBytes(idPrefix)
                Self.writeDecimal(values.index, into: &buffer)
            case .slot(1): Self.writeDecimal(values.priority, into: &buffer)
            case .slot(2): Self.writeDecimal(values.index, into: &buffer)
            case .slot: break
            }
        }
    }

    /// How many bytes `value` takes in decimal (with its minus sign).
    static func decimalCount(_ value: Int) -> Int {
        var count = value < 0 ? 2 : 1
        var rest = value.magnitude
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        return count
    }

    /// Appends `value` in decimal, as `String(value)` spells it.
    static func writeDecimal(_ value: Int, into buffer: inout ByteBuffer) {
        let count = decimalCount(value)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { out in
            var rest = value.magnitude
            var position = count
            repeat {
                position -= 1
                out[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest > 0
            if value < 0 { out[0] = UInt8(ascii: "-") }
            return count
        }
    }
}
