// How `npm start` reads Ctrl-C. The first stops sending, drains and reports; a second forces the stop
// (records in flight then count as unaccounted); a third exits at once. A terminal's Ctrl-C can reach
// the process twice at once (the terminal's process group and the tsx wrapper passing it on), so a
// second SIGINT within the grace of the first is the same key press, not a second one.

/** Two SIGINTs closer together than this are one Ctrl-C delivered twice. */
export const REPEATED_SIGNAL_GRACE_MS = 1_000;

export interface InterruptActions {
    /** The first Ctrl-C: stop sending, drain, report. */
    stop(): void;
    /** The second: stop draining too. */
    abort(): void;
    /** The third: exit now. */
    exit(): void;
}

/** A SIGINT listener doing `actions` in turn; `now` in ms (monotonic). */
export function interruptHandler(actions: InterruptActions, now: () => number = () => performance.now(), graceMs = REPEATED_SIGNAL_GRACE_MS): () => void {
    let interrupts = 0;
    let firstAt = 0;
    return () => {
        if (interrupts === 1 && now() - firstAt < graceMs) return;
        interrupts++;
        if (interrupts === 1) {
            firstAt = now();
            actions.stop();
        } else if (interrupts === 2) actions.abort();
        else actions.exit();
    };
}
