import { type Io, userErrorExit } from "../../tools/lib/cli";
import type { ToolRun } from "./run-tool";

/**
 * Runs a command's main in this process as runMain would run it as a script: its lines captured as
 * stdout and stderr, a user error printed and turned into its exit code. A bug (any other error) is
 * thrown, as the script would print its stack trace. One spawn per tool proves the process itself
 * (exit code, flushed stdout, no stack trace); the other cases of a tool run here, without the
 * second or two a spawned Node takes to load it.
 */
export async function runInProcess(main: (io: Io) => Promise<number>, usage: string, usageExitCode: number): Promise<ToolRun> {
    const out: string[] = [];
    const err: string[] = [];
    const text = (lines: string[]) => lines.map((l) => `${l}\n`).join("");
    let status: number;
    try {
        status = await main({ out: (l) => out.push(l), err: (l) => err.push(l) });
    } catch (e) {
        const user = userErrorExit(e, usage, usageExitCode);
        if (!user) throw e;
        err.push(user.message);
        status = user.code;
    }
    return { status, stdout: text(out), stderr: text(err) };
}
