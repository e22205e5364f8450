/** A wake-up: `wait` resolves on `notify` or after the timeout. */
export class Signal {
    private waiters: (() => void)[] = [];
    notify(): void {
        const w = this.waiters;
        this.waiters = [];
        for (const f of w) f();
    }
    wait(ms: number): Promise<void> {
        return new Promise((resolve) => {
            const done = () => {
                clearTimeout(timer);
                this.waiters = this.waiters.filter((f) => f !== done);
                resolve();
            };
            const timer = setTimeout(done, ms);
            this.waiters.push(done);
        });
    }
}
