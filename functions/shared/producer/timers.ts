export function now(): number {
    return performance.now();
}

/** One timer that calls `fire` at the earliest time it was armed for. */
export class DueTimer {
    private timer: NodeJS.Timeout | undefined;
    private at = Infinity;

    constructor(private readonly fire: () => void) {}

    get armed(): boolean {
        return this.timer !== undefined;
    }

    /** Fires at `at` (ms, performance.now() clock) unless already armed for earlier. */
    arm(at: number): void {
        if (this.timer !== undefined && this.at <= at) return;
        this.clear();
        this.at = at;
        this.timer = setTimeout(
            () => {
                this.timer = undefined;
                this.at = Infinity;
                this.fire();
            },
            Math.max(1, Math.ceil(at - now())),
        );
    }

    clear(): void {
        if (this.timer !== undefined) clearTimeout(this.timer);
        this.timer = undefined;
        this.at = Infinity;
    }
}

/** The backoff timers of entries waiting to be resent, so close() can stop them all. */
export class RetryTimers {
    private readonly timers = new Set<NodeJS.Timeout>();

    after(waitMs: number, run: () => void): void {
        const timer = setTimeout(
            () => {
                this.timers.delete(timer);
                run();
            },
            Math.max(0, Math.ceil(waitMs)),
        );
        this.timers.add(timer);
    }

    clear(): void {
        for (const t of this.timers) clearTimeout(t);
        this.timers.clear();
    }
}
