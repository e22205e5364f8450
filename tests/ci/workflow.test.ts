// The GitHub workflow (.github/workflows/pulumi.yml): tests on pull requests, a policy-checked preview of
// every stack that has a Pulumi.<stack>.yaml, `pulumi up` of dev only from main, AWS access through OIDC.
import { projectStacks } from "../support/run-tool";
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const ROOT = path.resolve(__dirname, "..", "..");
const WORKFLOW = path.join(ROOT, ".github", "workflows", "pulumi.yml");

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    "working-directory"?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
}
interface Job {
    if?: string;
    needs?: string | string[];
    permissions?: string | Record<string, string>;
    strategy?: { matrix?: Record<string, unknown> };
    concurrency?: string | { group?: string; "cancel-in-progress"?: boolean | string };
    env?: Record<string, unknown>;
    steps?: Step[];
}
interface Workflow {
    on: Record<string, unknown>;
    jobs: Record<string, Job>;
}

/** One run of a `pulumi/actions` step: per job and per matrix combination, with `${{ matrix.* }}` filled in. */
interface PulumiRun {
    jobId: string;
    job: Job;
    step: Step;
    stepIndex: number;
    matrix: Record<string, string>;
    command: string;
    stackName: string;
    /** The stack part of `stack-name` (`<org>/<stack>` or `<stack>`). */
    stack: string;
    policyPacks: string[];
    policyPackConfigs: string[];
}

function readWorkflow(file = WORKFLOW): Workflow {
    return parse(fs.readFileSync(file, "utf8")) as Workflow;
}

/** The matrix combinations a job runs (a job without a matrix runs once, with an empty one). */
function matrixCombinations(job: Job): Record<string, string>[] {
    const matrix = job.strategy?.matrix;
    if (!matrix) return [{}];
    const { include, exclude, ...axes } = matrix as { include?: Record<string, unknown>[]; exclude?: Record<string, unknown>[] } & Record<string, unknown>;
    let combos: Record<string, string>[] = [{}];
    for (const [key, values] of Object.entries(axes)) {
        assert.ok(Array.isArray(values), `job matrix axis ${key} must be a list`);
        combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: String(v) })));
    }
    const matches = (c: Record<string, string>, e: Record<string, unknown>) => Object.entries(e).every(([k, v]) => c[k] === String(v));
    combos = combos.filter((c) => !(exclude ?? []).some((e) => matches(c, e)));
    for (const inc of include ?? []) combos.push(Object.fromEntries(Object.entries(inc).map(([k, v]) => [k, String(v)])));
    return combos;
}

/** Fills in `${{ matrix.<key> }}`; other expressions (vars, secrets) stay as written. */
function render(value: unknown, matrix: Record<string, string>): string {
    return String(value ?? "").replace(/\$\{\{\s*matrix\.([\w-]+)\s*\}\}/g, (whole, key: string) => matrix[key] ?? whole);
}

/** A multi-line action input (one item per line, as pulumi/actions parses policyPacks). */
function lines(value: string): string[] {
    return value
        .split("\n")
        .map((s) => s.trim())
        .filter((s) => s !== "");
}

function pulumiRuns(wf: Workflow): PulumiRun[] {
    const runs: PulumiRun[] = [];
    for (const [jobId, job] of Object.entries(wf.jobs)) {
        for (const matrix of matrixCombinations(job)) {
            (job.steps ?? []).forEach((step, stepIndex) => {
                if (!step.uses?.startsWith("pulumi/actions@")) return;
                const w = step.with ?? {};
                const stackName = render(w["stack-name"], matrix);
                runs.push({
                    jobId,
                    job,
                    step,
                    stepIndex,
                    matrix,
                    command: render(w.command, matrix),
                    stackName,
                    stack: stackName.split("/").pop() ?? "",
                    policyPacks: lines(render(w.policyPacks, matrix)),
                    policyPackConfigs: lines(render(w.policyPackConfigs, matrix)),
                });
            });
        }
    }
    return runs;
}

/** Whether a job runs for an event, judged from its `if:` (no `if:` runs for every trigger). */
function runsFor(job: Job, event: "pull_request" | "push"): boolean {
    const cond = job.if ?? "";
    if (cond === "") return true;
    const named = [...cond.matchAll(/github\.event_name\s*==\s*'([\w-]+)'/g)].map((m) => m[1]);
    return named.length === 0 || named.includes(event);
}

/** Stacks that have a stack file but no preview run with the policy pack and that stack's pack config. */
function stacksWithoutPreview(wf: Workflow, stacks: string[]): string[] {
    const previews = pulumiRuns(wf).filter((r) => r.command === "preview" && runsFor(r.job, "pull_request"));
    return stacks.filter(
        (stack) => !previews.some((r) => r.stack === stack && r.policyPacks.includes("policies") && r.policyPackConfigs.includes(`policies/config/${stack}.json`)),
    );
}

function concurrencyOf(job: Job, matrix: Record<string, string>): { group: string; cancelInProgress: boolean } | undefined {
    const c = job.concurrency;
    if (c === undefined) return undefined;
    if (typeof c === "string") return { group: render(c, matrix), cancelInProgress: false };
    return { group: render(c.group, matrix), cancelInProgress: String(c["cancel-in-progress"] ?? false) === "true" };
}

function permissionsOf(job: Job): Record<string, string> {
    assert.equal(typeof job.permissions, "object", "a job that talks to AWS sets its permissions explicitly");
    return job.permissions as Record<string, string>;
}

const wf = readWorkflow();
const stacks = projectStacks();

describe("GitHub workflow .github/workflows/pulumi.yml", () => {
    it("runs on pull requests and on pushes to main", () => {
        assert.ok("pull_request" in wf.on, "on: pull_request");
        const push = wf.on.push as { branches?: string[] } | undefined;
        assert.deepEqual(push?.branches, ["main"], "on: push: branches: [main]");
    });

    it("has a test job: checkout, Node 22 with the npm cache, npm ci, then npm test", () => {
        const job = wf.jobs.test;
        assert.ok(job, "a job named test");
        assert.ok(runsFor(job, "pull_request"), "the test job runs on pull requests");
        const steps = job.steps ?? [];
        assert.ok(
            steps.some((s) => s.uses?.startsWith("actions/checkout@")),
            "actions/checkout",
        );
        const node = steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
        assert.ok(node, "actions/setup-node");
        assert.equal(String(node.with?.["node-version"]), "22");
        assert.equal(node.with?.cache, "npm");
        const runs = steps.map((s) => s.run?.trim());
        const ci = runs.indexOf("npm ci");
        const test = runs.indexOf("npm test");
        assert.ok(ci >= 0, "runs npm ci");
        assert.ok(test > ci, "runs npm test after npm ci");
    });

    it("sets up Node 22 in every job, the version package.json's engines declares", () => {
        const engines = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines?: { node?: string } }).engines?.node;
        assert.equal(engines, ">=22");
        for (const [jobId, job] of Object.entries(wf.jobs)) {
            const node = (job.steps ?? []).filter((s) => s.uses?.startsWith("actions/setup-node@"));
            assert.ok(node.length > 0, `${jobId} sets up Node`);
            for (const step of node) assert.equal(String(step.with?.["node-version"]), "22", `${jobId}: node-version 22`);
        }
    });

    it("installs the policy pack with the program: npm ci at the root, no install step of its own (the pack resolves its packages from the root)", () => {
        for (const run of pulumiRuns(wf).filter((r) => r.policyPacks.includes("policies"))) {
            const steps = run.job.steps ?? [];
            const ci = steps.findIndex((s) => s.run?.trim() === "npm ci" && !("working-directory" in s));
            assert.ok(ci >= 0 && ci < run.stepIndex, `${run.jobId}: npm ci at the root before the Pulumi step`);
            const own = steps.filter((s) => /\bnpm (ci|install|i)\b/.test(s.run ?? "") && ((s["working-directory"] ?? "").includes("policies") || /policies/.test(s.run ?? "")));
            assert.deepEqual(own, [], `${run.jobId}: no separate install in policies/ (its node_modules would shadow the root's)`);
        }
    });

    it("finds the project's stacks from the Pulumi.<stack>.yaml files", () => {
        assert.ok(stacks.length > 0, "at least one Pulumi.<stack>.yaml");
        assert.ok(stacks.includes("dev"), "a dev stack");
    });

    for (const stack of stacks) {
        it(`previews stack ${stack} on pull requests with the policy pack and policies/config/${stack}.json`, () => {
            assert.deepEqual(stacksWithoutPreview(wf, [stack]), [], `no preview of ${stack} with --policy-pack policies --policy-pack-config policies/config/${stack}.json`);
            assert.ok(fs.existsSync(path.join(ROOT, "policies", "config", `${stack}.json`)), `policies/config/${stack}.json exists`);
            const run = pulumiRuns(wf).find((r) => r.command === "preview" && r.stack === stack)!;
            assert.match(run.step.uses!, /^pulumi\/actions@v6\b/);
            assert.match(run.stackName, new RegExp(`^\\$\\{\\{\\s*vars\\.\\w+\\s*\\}\\}/${stack}$`), "stack-name is <org from a repo variable>/<stack>");
            assert.equal(String(run.step.with?.["comment-on-pr"]), "true", "comment-on-pr");
            assert.equal(permissionsOf(run.job)["pull-requests"], "write", "commenting on the pull request needs pull-requests: write");
        });
    }

    it("reports a stack file that has no preview (the per-stack tests above fail when one is added)", () => {
        assert.deepEqual(stacksWithoutPreview(wf, [...stacks, "qa"]), ["qa"]);
        const withoutProd: Workflow = structuredClone(wf);
        for (const job of Object.values(withoutProd.jobs)) {
            const axis = job.strategy?.matrix?.stack;
            if (Array.isArray(axis)) job.strategy!.matrix!.stack = axis.filter((s) => s !== "prod");
        }
        assert.deepEqual(stacksWithoutPreview(withoutProd, ["dev", "prod"]), ["prod"]);
    });

    it("runs pulumi up only for dev, only on pushes to main, with the policy pack and its dev config", () => {
        const ups = pulumiRuns(wf).filter((r) => r.command === "up" || r.command === "update");
        assert.deepEqual([...new Set(ups.map((r) => r.stack))], ["dev"], "only the dev stack is updated");
        for (const up of ups) {
            assert.match(up.step.uses!, /^pulumi\/actions@v6\b/);
            assert.ok(!runsFor(up.job, "pull_request"), `${up.jobId} must not run on pull requests`);
            assert.match(up.job.if ?? "", /github\.event_name\s*==\s*'push'/, `${up.jobId} runs on push`);
            assert.match(up.job.if ?? "", /github\.ref\s*==\s*'refs\/heads\/main'/, `${up.jobId} runs on main only`);
            assert.deepEqual(up.policyPacks, ["policies"]);
            assert.deepEqual(up.policyPackConfigs, ["policies/config/dev.json"]);
            const needs = [up.job.needs ?? []].flat();
            assert.ok(needs.includes("test"), `${up.jobId} deploys only after the test job passed`);
        }
        const others = pulumiRuns(wf).filter((r) => !["preview", "up", "update"].includes(r.command));
        assert.deepEqual(
            others.map((r) => `${r.jobId}: ${r.command}`),
            [],
            "no refresh or destroy from CI",
        );
    });

    it("never runs two ups of one stack at once (a concurrency group per stack, not cancelled)", () => {
        for (const up of pulumiRuns(wf).filter((r) => r.command === "up")) {
            const c = concurrencyOf(up.job, up.matrix);
            assert.ok(c, `${up.jobId} has a concurrency group`);
            assert.ok(c.group.includes(up.stack), `${up.jobId}'s concurrency group ${c.group} names the stack ${up.stack}`);
            assert.equal(c.cancelInProgress, false, "an up in progress is never cancelled halfway");
        }
    });

    it("gets AWS credentials through OIDC (role from a repo variable, no keys) and the Pulumi token from secrets", () => {
        const runs = pulumiRuns(wf);
        assert.ok(runs.length > 0);
        for (const run of runs) {
            const perms = permissionsOf(run.job);
            assert.equal(perms["id-token"], "write", `${run.jobId}: permissions id-token: write`);
            assert.equal(perms.contents, "read", `${run.jobId}: permissions contents: read`);
            const steps = run.job.steps ?? [];
            const aws = steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
            assert.ok(aws >= 0 && aws < run.stepIndex, `${run.jobId}: configure-aws-credentials before the Pulumi step`);
            const awsWith = steps[aws]!.with ?? {};
            assert.match(String(awsWith["role-to-assume"]), /^\$\{\{\s*vars\.\w+\s*\}\}$/, "role-to-assume from a repository variable");
            assert.ok(awsWith["aws-region"], "aws-region");
            for (const key of ["aws-access-key-id", "aws-secret-access-key"]) assert.ok(!(key in awsWith), `no long-lived ${key}`);
            const npmCi = steps.findIndex((s) => s.run?.trim() === "npm ci");
            assert.ok(npmCi >= 0 && npmCi < run.stepIndex, `${run.jobId}: npm ci before the Pulumi step (the program's dependencies)`);
            const token = run.step.env?.PULUMI_ACCESS_TOKEN ?? run.job.env?.PULUMI_ACCESS_TOKEN;
            assert.match(String(token), /^\$\{\{\s*secrets\.PULUMI_ACCESS_TOKEN\s*\}\}$/, `${run.jobId}: PULUMI_ACCESS_TOKEN from secrets`);
        }
    });
});
