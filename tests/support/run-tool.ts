import { spawnSync } from "node:child_process";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");
/** The `--require` that runs the project's TypeScript in a spawned Node (see ts-hook.cjs). */
export const TS_HOOK = path.join(__dirname, "ts-hook.cjs");

export interface ToolRun {
    status: number | null;
    stdout: string;
    stderr: string;
}

/**
 * The command line of a tool of tools/ as `npm run` gives it (the script, its arguments, the project
 * root as working directory), run by Node with ts-hook.cjs instead of the tsx wrapper: the same
 * TypeScript transform, at about half the CPU per start (see ts-hook.cjs).
 */
export function toolCommand(script: string, args: string[]): { command: string; args: string[] } {
    return { command: process.execPath, args: ["--require", TS_HOOK, path.join(ROOT, "tools", script), ...args] };
}

/** Runs a command-line tool of tools/ as `npm run` would, from the project root. */
export function runTool(script: string, args: string[], env: NodeJS.ProcessEnv = {}): ToolRun {
    const tool = toolCommand(script, args);
    const r = spawnSync(tool.command, tool.args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 });
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
