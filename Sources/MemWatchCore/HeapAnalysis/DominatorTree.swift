/// The dominator tree of the heap graph over retaining edges (`HeapRetention`), by
/// Lengauer–Tarjan semidominators (path compression) with the SEMI-NCA final step, over flat
/// Int32 arrays: near-linear in practice, no per-node objects, no recursion.
///
/// Nodes that no retaining edge reaches from the root (only weakly held) become children of
/// the root, first those with no retainer at all, then any left (cycles), as DevTools does.
public struct DominatorTree: Sendable {
    /// All nodes in depth-first preorder from the root: a node's dominator comes before it.
    public let order: [Int32]
    /// Immediate dominator of each node; the root's is itself.
    public let idom: [Int32]
    /// Nodes attached to the root because nothing retains them.
    public let virtualRootChildren: [Int32]

    public init(graph: HeapGraph, retention: HeapRetention) {
        let n = graph.nodeCount
        let root = graph.rootIndex
        let first = graph.firstEdge, targets = graph.edgeTargets, edgeTypes = graph.edgeTypes

        func buffer(_ count: Int, _ value: Int32) -> UnsafeMutablePointer<Int32> {
            let p = UnsafeMutablePointer<Int32>.allocate(capacity: max(count, 1))
            p.initialize(repeating: value, count: max(count, 1))
            return p
        }

        // 1. Depth-first numbering from the root (then from the virtual root children).
        let dfnum = buffer(n, -1)
        let vertex = buffer(n, 0)
        let parent = buffer(n, 0)
        var numbered = 0
        do {
            let stackNode = buffer(n, 0)
            let stackEdge = buffer(n, 0)
            defer { stackNode.deallocate(); stackEdge.deallocate() }
            func search(from start: Int, parentNumber: Int32) {
                dfnum[start] = Int32(numbered)
                vertex[numbered] = Int32(start)
                parent[numbered] = parentNumber
                numbered += 1
                var top = 0
                stackNode[0] = Int32(start)
                stackEdge[0] = first[start]
                while top >= 0 {
                    let u = Int(stackNode[top])
                    let e = Int(stackEdge[top])
                    if e == Int(first[u + 1]) { top -= 1; continue }
                    stackEdge[top] += 1
                    let v = Int(targets[e])
                    if dfnum[v] >= 0 || !retention.retains(from: u, edgeType: Int(edgeTypes[e]), to: v) { continue }
                    dfnum[v] = Int32(numbered)
                    vertex[numbered] = Int32(v)
                    parent[numbered] = dfnum[u]
                    numbered += 1
                    top += 1
                    stackNode[top] = Int32(v)
                    stackEdge[top] = first[v]
                }
            }
            search(from: root, parentNumber: 0)
            var virtualChildren: [Int32] = []
            if numbered < n {
                var retained = [Bool](repeating: false, count: n)
                for u in 0..<n where dfnum[u] < 0 {
                    for e in Int(first[u])..<Int(first[u + 1]) {
                        let v = Int(targets[e])
                        if v != u && retention.retains(from: u, edgeType: Int(edgeTypes[e]), to: v) { retained[v] = true }
                    }
                }
                for pass in 0..<2 {
                    for v in 0..<n where dfnum[v] < 0 && (pass == 1 || !retained[v]) {
                        virtualChildren.append(Int32(v))
                        search(from: v, parentNumber: 0)
                    }
                }
            }
            virtualRootChildren = virtualChildren
        }

        // 2. Predecessors over retaining edges, in DFS numbers.
        let predStart = buffer(n + 1, 0)
        for u in 0..<n {
            for e in Int(first[u])..<Int(first[u + 1]) {
                let v = Int(targets[e])
                if retention.retains(from: u, edgeType: Int(edgeTypes[e]), to: v) { predStart[Int(dfnum[v]) + 1] += 1 }
            }
        }
        for c in virtualRootChildren { predStart[Int(dfnum[Int(c)]) + 1] += 1 }
        for i in 0..<n { predStart[i + 1] += predStart[i] }
        let predCount = Int(predStart[n])
        let preds = buffer(predCount, 0)
        let fill = buffer(n, 0)
        for i in 0..<n { fill[i] = predStart[i] }
        for u in 0..<n {
            let du = dfnum[u]
            for e in Int(first[u])..<Int(first[u + 1]) {
                let v = Int(targets[e])
                if retention.retains(from: u, edgeType: Int(edgeTypes[e]), to: v) {
                    let dv = Int(dfnum[v])
                    preds[Int(fill[dv])] = du
                    fill[dv] += 1
                }
            }
        }
        for c in virtualRootChildren {
            let dv = Int(dfnum[Int(c)])
            preds[Int(fill[dv])] = dfnum[root]
            fill[dv] += 1
        }
        fill.deallocate()
        dfnum.deallocate()

        // 3. Semidominators by Lengauer–Tarjan's eval with path compression, then immediate
        // dominators by walking up to the nearest common ancestor (the SEMI-NCA variant: no
        // buckets, fewer arrays). All indices are DFS numbers. `parent` turns into the
        // ancestor array of the link-eval forest; nodes numbered above `w` are the linked ones.
        let semi = buffer(n, 0)
        let label = buffer(n, 0)
        let idomNumber = buffer(n, 0)
        for i in 0..<n { semi[i] = Int32(i); label[i] = Int32(i); idomNumber[i] = parent[i] }
        let ancestor = parent
        var path: [Int32] = []

        var w = n - 1
        while w >= 1 {
            for k in Int(predStart[w])..<Int(predStart[w + 1]) {
                let v = Int(preds[k])
                var u = v
                if v > w {
                    var x = v
                    while Int(ancestor[x]) > w {
                        path.append(Int32(x))
                        x = Int(ancestor[x])
                    }
                    while let top = path.popLast() {
                        let y = Int(top)
                        let a = Int(ancestor[y])
                        if semi[Int(label[a])] < semi[Int(label[y])] { label[y] = label[a] }
                        ancestor[y] = ancestor[a]
                    }
                    u = Int(label[v])
                }
                if semi[u] < semi[w] { semi[w] = semi[u] }
            }
            w -= 1
        }
        if n > 1 {
            for w in 1..<n {
                var d = idomNumber[w]
                while d > semi[w] { d = idomNumber[Int(d)] }
                idomNumber[w] = d
            }
        }
        idomNumber[0] = 0

        var idom = [Int32](repeating: 0, count: n)
        for i in 0..<n { idom[Int(vertex[i])] = vertex[Int(idomNumber[i])] }
        order = Array(UnsafeBufferPointer(start: vertex, count: n))
        self.idom = idom

        for p in [vertex, parent, predStart, preds, semi, label, idomNumber] {
            p.deallocate()
        }
    }

    /// Retained size of every node: its own size plus what it dominates.
    public func retainedSizes(graph: HeapGraph) -> [Int] {
        var retained = [Int](repeating: 0, count: graph.nodeCount)
        for node in 0..<graph.nodeCount { retained[node] = graph.selfSize(node) }
        var i = order.count - 1
        while i >= 1 {
            let v = Int(order[i])
            retained[Int(idom[v])] += retained[v]
            i -= 1
        }
        return retained
    }

    /// Children of each node in the dominator tree, as offsets into one flat array.
    public func children() -> (start: [Int32], nodes: [Int32]) {
        let n = idom.count
        var start = [Int32](repeating: 0, count: n + 1)
        for i in 1..<max(order.count, 1) { start[Int(idom[Int(order[i])]) + 1] += 1 }
        for i in 0..<n { start[i + 1] += start[i] }
        var fill = start
        var nodes = [Int32](repeating: 0, count: max(order.count - 1, 0))
        for i in 1..<max(order.count, 1) {
            let v = order[i]
            let d = Int(idom[Int(v)])
            nodes[Int(fill[d])] = v
            fill[d] += 1
        }
        return (start, nodes)
    }
}
