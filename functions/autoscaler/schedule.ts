// The cheapest shard schedule over blocks of time under UpdateShardCount's rules: a dynamic program
// over (block, shard count, calls used). Pure, no AWS. The planning autoscaler runs it on its
// forecast (a fixed start, a call budget that frees as old calls age out); the replay's limit runs it
// on the real demand (a free start, calls counted per window of blocks, relaxed block costs).
//
// A change from c to c' (one call) is allowed when ceil(c/2) <= c' <= 2c, i.e. when
// ceil(c'/2) <= c <= 2c': the best predecessor of every c' is a minimum over a window of c whose
// both ends grow with c', found for all c' at once with a monotone deque. So a block costs
// O(calls x counts x changes per block), not O(counts^2).

export interface ScheduleProblem {
    /** Counts considered: lo..hi (hi at most 10,000). */
    lo: number;
    hi: number;
    /** Per block: the fewest shards that serve the whole block with no change inside it. */
    need: ArrayLike<number>;
    /** Per block: minutes in it. */
    minutes: ArrayLike<number>;
    /** Per block: the fewest shards the block's last minute needs (a block that ends at c' must have c' >= it). */
    lastNeed: ArrayLike<number>;
    /**
     * Cost (shard-minutes) of a block in which the count changes and ends at `c`: exact for a
     * planner that changes at the block's start (`minutes * c`), a lower bound for the limit.
     */
    changeCost(block: number, c: number): number;
    /** Most changes inside one block (1 unless blocks are longer than the time between two calls). */
    maxChangesPerBlock: number;
    /** Shards before the first block; undefined: free (any count, at no cost). */
    start?: number;
    /** Most calls counted (since the last window start) after the calls of `block`. */
    callsAllowed(block: number): number;
    /** Whether calls stop counting at the start of `block` (a new window). */
    windowStartsAt?(block: number): boolean;
    /** Keep what is needed to return the schedule (memory: blocks x calls x counts). */
    withSchedule?: boolean;
}

export interface ScheduleResult {
    /** Shard-minutes; Infinity when no schedule serves every block. */
    cost: number;
    /** Count at the end of each block (with `withSchedule`). */
    counts?: Int32Array;
    /** Calls made in each block (with `withSchedule`). */
    calls?: Int32Array;
}

/**
 * For each c' in [lo, hi]: the minimum of row[base + c - lo] over c in [ceil(c'/down), c' - 1] (`side` below)
 * or [c' + 1, up * c'] (`side` above) or [ceil(c'/down), up * c'] (both), and where it is.
 * Both ends of each window grow with c': one pass with a monotone deque.
 */
function windowMin(
    row: Float64Array,
    base: number,
    lo: number,
    hi: number,
    side: "below" | "above" | "both",
    down: number,
    up: number,
    deque: Int32Array,
    outVal: Float64Array,
    outArg: Int32Array,
): void {
    let head = 0;
    let tail = 0;
    let next = lo;
    for (let c = lo; c <= hi; c++) {
        const a = Math.max(lo, side === "above" ? c + 1 : Math.ceil(c / down));
        const b = Math.min(hi, side === "below" ? c - 1 : up * c);
        while (next <= b) {
            const val = row[base + next - lo] as number;
            while (tail > head && (row[base + (deque[tail - 1] as number) - lo] as number) >= val) tail--;
            deque[tail++] = next++;
        }
        while (head < tail && (deque[head] as number) < a) head++;
        const i = c - lo;
        if (head < tail && a <= b) {
            outArg[i] = deque[head] as number;
            outVal[i] = row[base + (deque[head] as number) - lo] as number;
        } else {
            outVal[i] = Infinity;
            outArg[i] = -1;
        }
    }
}

export function cheapestSchedule(p: ScheduleProblem): ScheduleResult {
    const { lo, hi } = p;
    const width = hi - lo + 1;
    const blocks = p.need.length;
    let maxCalls = 0;
    for (let b = 0; b < blocks; b++) maxCalls = Math.max(maxCalls, p.callsAllowed(b));
    const K = maxCalls + 1;
    let v = new Float64Array(K * width).fill(Infinity);
    let next = new Float64Array(K * width);
    if (p.start === undefined) v.fill(0, 0, width);
    else if (p.start >= lo && p.start <= hi) v[p.start - lo] = 0;
    // Rows k above `top` are all Infinity: skipped.
    let top = 0;
    // Per (block, k, c): the state it came from, packed as k * width + (c - lo), and the calls made in the block.
    const parent = p.withSchedule ? new Int32Array(blocks * K * width) : undefined;
    const made = p.withSchedule ? new Int8Array(blocks * K * width) : undefined;
    // Where each state of `v` really came from (a window start folds every k onto 0).
    const origin = new Int32Array(K * width);
    const deque = new Int32Array(width);
    const wVal = new Float64Array(width);
    const wArg = new Int32Array(width);
    const wVal2 = new Float64Array(width);
    const wArg2 = new Int32Array(width);
    // More than one change in a block is taken as two calls that reach as far as all of them could.
    const reach = 2 ** Math.min(p.maxChangesPerBlock, 14);

    for (let b = 0; b < blocks; b++) {
        for (let i = 0; i < (top + 1) * width; i++) origin[i] = i;
        if (b > 0 && p.windowStartsAt?.(b)) {
            // Calls stop counting: every k folds onto k = 0, keeping the cheapest.
            for (let i = 0; i < width; i++) {
                let bestK = 0;
                for (let k = 1; k <= top; k++) if ((v[k * width + i] as number) < (v[bestK * width + i] as number)) bestK = k;
                v[i] = v[bestK * width + i] as number;
                origin[i] = bestK * width + i;
            }
            top = 0;
        }
        const need = p.need[b] as number;
        const last = p.lastNeed[b] as number;
        const len = p.minutes[b] as number;
        const allowed = Math.min(maxCalls, p.callsAllowed(b));
        const newTop = Math.min(allowed, top + (p.maxChangesPerBlock > 1 ? 2 : 1));
        next.fill(Infinity, 0, (newTop + 1) * width);
        const par = parent?.subarray(b * K * width, (b + 1) * K * width);
        const mk = made?.subarray(b * K * width, (b + 1) * K * width);
        par?.fill(-1);
        const relax = (i: number, val: number, from: number, calls: number) => {
            next[i] = val;
            if (par && mk) {
                par[i] = origin[from] as number;
                mk[i] = calls;
            }
        };
        for (let k = 0; k <= Math.min(top, allowed); k++) {
            const base = k * width;
            // No change: the count serves the whole block.
            for (let c = Math.max(lo, need); c <= hi; c++) {
                const val = (v[base + c - lo] as number) + len * c;
                if (val < (next[base + c - lo] as number)) relax(base + c - lo, val, base + c - lo, 0);
            }
            // One change, ending at c' != c; then (when blocks are long) several, counted as two.
            for (let j = 1; j <= (p.maxChangesPerBlock > 1 ? 2 : 1) && k + j <= allowed; j++) {
                if (j === 1) {
                    windowMin(v, base, lo, hi, "below", 2, 2, deque, wVal, wArg);
                    windowMin(v, base, lo, hi, "above", 2, 2, deque, wVal2, wArg2);
                    for (let i = 0; i < width; i++) {
                        if ((wVal2[i] as number) < (wVal[i] as number)) {
                            wVal[i] = wVal2[i] as number;
                            wArg[i] = wArg2[i] as number;
                        }
                    }
                } else {
                    windowMin(v, base, lo, hi, "both", reach, reach, deque, wVal, wArg);
                }
                const to = (k + j) * width;
                for (let c = Math.max(lo, last); c <= hi; c++) {
                    const from = wVal[c - lo] as number;
                    if (from === Infinity) continue;
                    const val = from + p.changeCost(b, c);
                    if (val < (next[to + c - lo] as number)) relax(to + c - lo, val, base + (wArg[c - lo] as number) - lo, j);
                }
            }
        }
        [v, next] = [next, v];
        top = newTop;
        v.fill(Infinity, (top + 1) * width);
    }
    let cost = Infinity;
    let end = -1;
    for (let i = 0; i < (top + 1) * width; i++) {
        if ((v[i] as number) < cost) {
            cost = v[i] as number;
            end = i;
        }
    }
    if (!parent || !made || end < 0) return { cost };
    const counts = new Int32Array(blocks);
    const calls = new Int32Array(blocks);
    let state = end;
    for (let b = blocks - 1; b >= 0; b--) {
        counts[b] = lo + (state % width);
        calls[b] = made[b * K * width + state] as number;
        state = parent[b * K * width + state] as number;
    }
    return { cost, counts, calls };
}
