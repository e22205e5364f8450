// Progress output: on a terminal, one live line redrawn in place (messages such as alerts are printed
// above it); otherwise plain lines, one every few seconds, so logs and CI output stay readable.

export interface ProgressOptions {
    out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
    /** The current state, as one line. */
    render: () => string;
    /** @default out.isTTY */
    live?: boolean;
    /** Redraw interval of the live line. @default 200 */
    liveIntervalMs?: number;
    /** Interval of the plain lines. @default 5000 */
    plainIntervalMs?: number;
}

const CLEAR_LINE = "\r\x1b[2K";

export class Progress {
    private timer: NodeJS.Timeout | undefined;
    private readonly live: boolean;
    private drawn = false;

    constructor(private readonly o: ProgressOptions) {
        this.live = o.live ?? Boolean(o.out.isTTY);
    }

    get isLive(): boolean {
        return this.live;
    }

    start(): void {
        if (this.timer) return;
        const every = this.live ? (this.o.liveIntervalMs ?? 200) : (this.o.plainIntervalMs ?? 5_000);
        this.timer = setInterval(() => this.update(), every);
        this.timer.unref();
        if (this.live) this.update();
    }

    /** Redraws the live line, or prints a plain line. */
    update(): void {
        const line = this.o.render();
        if (this.live) {
            const width = this.o.out.columns ?? 0;
            this.o.out.write(`${CLEAR_LINE}${width > 1 && line.length >= width ? `${line.slice(0, width - 2)}…` : line}`);
            this.drawn = true;
        } else {
            this.o.out.write(`${line}\n`);
        }
    }

    /** Prints a message; the live line is redrawn below it. */
    log(message: string): void {
        if (this.live && this.drawn) {
            this.o.out.write(`${CLEAR_LINE}${message}\n`);
            this.update();
        } else {
            this.o.out.write(`${message}\n`);
        }
    }

    /** Stops updating; the live line is replaced by the final state as a plain line. */
    stop(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        if (this.live && this.drawn) this.o.out.write(`${CLEAR_LINE}${this.o.render()}\n`);
        else if (!this.live) this.update();
        this.drawn = false;
    }
}
