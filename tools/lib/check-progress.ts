import * as os from "node:os";
import type { Io } from "./cli";
import type { CheckProgress } from "./policy-engine";

/** Seconds a check runs before it reports progress (a fast run prints its result only); POLICY_CHECK_PROGRESS_AFTER_SECONDS overrides. */
export const PROGRESS_AFTER_SECONDS = 3;
const PROGRESS_EVERY_MS = 5_000;

const count = (n: number) => n.toLocaleString("en-US");

/**
 * What a long check says on stderr while it runs, and what it says when a signal stops it: a line
 * once it has run `afterSeconds`, then one every few seconds.
 */
export class ProgressReport {
    private state = "reading the stack file";
    private lastLine = -Infinity;

    constructor(
        private readonly io: Io,
        private readonly afterSeconds = Number(process.env.POLICY_CHECK_PROGRESS_AFTER_SECONDS ?? PROGRESS_AFTER_SECONDS),
        private readonly started = Date.now(),
        private readonly now = () => Date.now(),
    ) {}

    private seconds(): string {
        return `${Math.round((this.now() - this.started) / 1000)} s`;
    }

    update(p: CheckProgress): void {
        this.state =
            p.phase === "resources" ? `${count(p.done)} of ${count(p.total)} resources analyzed` : `all resources analyzed, stack policy ${p.done + 1} of ${p.total} running`;
        const now = this.now();
        if (now - this.started >= this.afterSeconds * 1000 && now - this.lastLine >= PROGRESS_EVERY_MS) {
            this.lastLine = now;
            this.io.err(`policy:check: ${this.state} (${this.seconds()})`);
        }
    }

    /** The one line a stopped check prints. */
    stopped(signal: NodeJS.Signals): string {
        return `policy:check: stopped by ${signal} after ${this.seconds()} (${this.state}); no result`;
    }
}

/**
 * Ctrl-C or SIGTERM stops the check at once: one line on stderr and exit 128 + the signal's number
 * (130, 143). The check lets the event loop turn between resources and between stack policies, so
 * the handler runs within one of those steps. Returns what removes the handlers.
 */
export function stopOnSignals(report: ProgressReport, io: Io, exit: (code: number) => void): () => void {
    const offs = (["SIGINT", "SIGTERM"] as const).map((signal) => {
        const handler = () => {
            io.err(report.stopped(signal));
            exit(128 + os.constants.signals[signal]);
        };
        process.on(signal, handler);
        return () => process.off(signal, handler);
    });
    return () => {
        for (const off of offs) off();
    };
}
