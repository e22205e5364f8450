// kinesalite or dynalite in a child process on 127.0.0.1, so a benchmark's process.cpuUsage() counts
// the client's CPU alone and the emulator runs on the other core instead of sharing the event loop.
// Both packages export a factory returning an http.Server; the child prints the port it listens on.
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";

export type EmulatorPackage = "kinesalite" | "dynalite";

export interface EmulatorProcess {
    /** http://127.0.0.1:<port> */
    endpoint: string;
    pid: number;
    stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;
/** Immediate creates and deletes, as the in-process emulators (tools/local/emulators.ts) are started. */
const OPTIONS: Record<EmulatorPackage, Record<string, number>> = {
    kinesalite: { createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 200 },
    dynalite: { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 },
};

export async function startEmulatorProcess(pkg: EmulatorPackage): Promise<EmulatorProcess> {
    const main = require.resolve(pkg);
    const script =
        `const server = require(${JSON.stringify(main)})(${JSON.stringify(OPTIONS[pkg])});` +
        `server.listen(0, "127.0.0.1", () => process.stdout.write(server.address().port + "\\n"));` +
        // Exit with the parent, even if it dies without stop().
        `process.stdin.on("end", () => process.exit(0)); process.stdin.resume();`;
    const child = spawn(process.execPath, ["-e", script], { cwd: path.dirname(main), stdio: ["pipe", "pipe", "pipe"] });
    const output: string[] = [];
    child.stderr?.on("data", (b: Buffer) => output.push(b.toString()));
    const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${pkg} did not start within ${START_TIMEOUT_MS} ms: ${output.join("").slice(-500)}`)), START_TIMEOUT_MS);
        child.stdout?.once("data", (b: Buffer) => {
            clearTimeout(timer);
            resolve(Number.parseInt(b.toString(), 10));
        });
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`${pkg} exited with code ${code} while starting: ${output.join("").slice(-500)}`));
        });
    });
    return { endpoint: `http://127.0.0.1:${port}`, pid: child.pid as number, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.stdin?.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
    await exited;
    clearTimeout(timer);
}
