import Synchronization

extension ArrivalLanes {
    /// Where every lane has got to in the schedule: lane `l`'s next arrival (`l, l + L, l + 2L, …`), taken by
    /// compare-and-swap. Its owner takes it at its instant; another lane that wakes while the owner is well past it (a
    /// thread held off its CPU) takes it instead, so one stalled thread does not make its share of the arrivals late —
    /// and an arrival is never offered twice, whoever takes it.
    final class LaneCursors: Sendable {
        /// One lane's next arrival (a class: `Atomic` cannot live in an array's copyable elements).
        private final class Cursor: Sendable {
            let next: Atomic<Int>
            init(_ first: Int) { next = Atomic(first) }
        }

        private let cursors: [Cursor]

        /// Cursors for `lanes` lanes, each at its first arrival.
        init(lanes: Int) {
            cursors = (0..<max(1, lanes)).map(Cursor.init)
        }

        /// How many lanes share the schedule (the stride between one lane's arrivals).
        var lanes: Int { cursors.count }

        /// Lane `lane`'s next arrival not yet taken.
        func next(_ lane: Int) -> Int { cursors[lane].next.load(ordering: .acquiring) }

        /// Takes arrival `index`, lane `lane`'s next: true when the caller offers it, false when another lane took it
        /// first (read ``next(_:)`` again).
        func take(_ index: Int, of lane: Int) -> Bool {
            cursors[lane].next.compareExchange(expected: index, desired: index + cursors.count, ordering: .acquiringAndReleasing).exchanged
        }

        /// Ends lane `lane`'s share at `count` (a stop): nothing of it is offered after this.
        func end(_ lane: Int, at count: Int) {
            cursors[lane].next.store(count, ordering: .releasing)
        }
    }
}
