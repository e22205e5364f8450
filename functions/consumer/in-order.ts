/**
 * Runs tasks one at a time per key, in the order of the batch's records, while records themselves
 * are processed in parallel. The velocity rule needs it: a user's orders must be counted in stream
 * order, or an order counted before an earlier one of the same minute would get too low a rank.
 *
 * Record i registers its tasks only after records 0..i-1 have registered theirs (or said they have
 * none, with `skip`), so the per-key chains follow the record order however the records' handlers
 * are scheduled. Every record must call `run` or `skip` exactly once — `skip` is safe to call again
 * after `run`, so call it in a `finally` — or the records after it never get their turn.
 * A failed task does not stop the next one of its key.
 */
export class InOrderPerKey {
    private readonly registered: Promise<void>[];
    private readonly markRegistered: (() => void)[] = [];
    private readonly chains = new Map<string, Promise<unknown>>();

    constructor(records: number) {
        this.registered = Array.from({ length: records }, () => new Promise<void>((resolve) => this.markRegistered.push(resolve)));
    }

    private previous(index: number): Promise<void> {
        return index > 0 ? this.registered[index - 1]! : Promise.resolve();
    }

    /**
     * Runs each task after the earlier tasks of its key; resolves with their results, in order, once
     * all have settled (nothing is left running when it rejects, with the first task's error).
     */
    async run<T>(index: number, tasks: { key: string; task: () => Promise<T> }[]): Promise<T[]> {
        await this.previous(index);
        const results = tasks.map(({ key, task }) => {
            const before = this.chains.get(key) ?? Promise.resolve();
            const result = before.then(task, task);
            this.chains.set(
                key,
                result.catch(() => undefined),
            );
            return result;
        });
        this.markRegistered[index]!();
        const settled = await Promise.allSettled(results);
        const failed = settled.find((r) => r.status === "rejected");
        if (failed) throw failed.reason;
        return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
    }

    /** Record `index` has no (more) tasks: let the next records register once the earlier ones have. */
    skip(index: number): void {
        void this.previous(index).then(this.markRegistered[index]);
    }
}
