import { spawnSync } from "node:child_process";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

export interface ToolRun {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** Runs a command-line tool of tools/ as `npm run` would, from the project root. */
export function runTool(script: string, args: string[], env: NodeJS.ProcessEnv = {}): ToolRun {
    const r = spawnSync(TSX, [path.join(ROOT, "tools", script), ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** True when the text holds a JavaScript stack frame: user errors must never show one. */
export function hasStackTrace(text: string): boolean {
    return /^\s+at .+:\d+:\d+\)?$/m.test(text);
}

/**
 * The project's stacks: the committed `Pulumi.<stack>.yaml` files (a test's scratch stack file,
 * present while another test run is going on, is not one of them).
 */
export function projectStacks(): string[] {
    const files = spawnSync("git", ["ls-files", "Pulumi.*.yaml"], { cwd: ROOT, encoding: "utf8" }).stdout.split("\n");
    return files.flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f.trim())?.[1] ?? []).sort();
}
