// The policy pack needs no install of its own: `pulumi preview --policy-pack policies` runs the pack
// from policies/ as it is (the CLI installs only packs it downloads) and the pack's node resolves
// `@pulumi/pulumi/cmd/run-policy-pack`, `@pulumi/policy`, `@pulumi/aws` and `typescript` upwards, from
// the root's node_modules that `npm ci` installs from package-lock.json. This pins that the root's lock
// carries every package policies/package.json declares, at a version its range accepts.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const PACK = path.join(ROOT, "policies");
/** The root's node_modules, symlinks resolved as require.resolve resolves them. */
const ROOT_MODULES = fs.realpathSync(path.join(ROOT, "node_modules"));
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, "utf8")) as T;

interface Manifest {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
}
const pack = readJson<Manifest>(path.join(PACK, "package.json"));
const root = readJson<Manifest>(path.join(ROOT, "package.json"));
const lock = readJson<{ packages: Record<string, { version?: string }> }>(path.join(ROOT, "package-lock.json"));

/** Whether `version` satisfies a caret range `^x.y.z` (the only form the pack uses). */
function satisfiesCaret(version: string, range: string): boolean {
    const m = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
    assert.ok(m, `policies/package.json: ${range} is not a caret range ^x.y.z`);
    const want = m.slice(1).map(Number) as [number, number, number];
    const have = version.split(/[.-]/).slice(0, 3).map(Number);
    if (have[0] !== want[0]) return false;
    for (let i = 1; i < 3; i++) if (have[i] !== want[i]) return (have[i] ?? 0) > want[i]!;
    return true;
}

describe("policy pack dependencies (policies/package.json)", () => {
    const deps = Object.entries(pack.dependencies ?? {});

    it("declares what the pack imports at run time", () => {
        assert.deepEqual(deps.map(([name]) => name).sort(), ["@pulumi/aws", "@pulumi/policy", "@pulumi/pulumi", "typescript"]);
    });

    for (const [name, range] of deps) {
        it(`${name} ${range}: the root declares it and its lockfile locks a version the pack accepts`, () => {
            assert.ok(name in { ...root.dependencies, ...root.devDependencies }, `${name} is a dependency of the root package.json`);
            const locked = lock.packages[`node_modules/${name}`]?.version;
            assert.ok(locked, `package-lock.json locks node_modules/${name}`);
            assert.ok(satisfiesCaret(locked, range), `locked ${name}@${locked} does not satisfy the pack's ${range}`);
        });

        it(`${name} resolves from policies/ to the root's node_modules`, () => {
            const resolved = require.resolve(`${name}/package.json`, { paths: [PACK] });
            assert.equal(resolved, path.join(ROOT_MODULES, name, "package.json"));
        });
    }

    it("the CLI's entry point for a Node.js pack resolves from policies/ too", () => {
        const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [PACK] });
        assert.ok(runner.startsWith(path.join(ROOT_MODULES, "@pulumi", "pulumi", "cmd", "run-policy-pack")), runner);
    });

    it("the pack has no lockfile of its own to drift from the root's (npm pack would not publish one either)", () => {
        assert.equal(fs.existsSync(path.join(PACK, "package-lock.json")), false);
    });

    it("the version check itself: caret ranges", () => {
        assert.equal(satisfiesCaret("3.270.0", "^3.270.0"), true);
        assert.equal(satisfiesCaret("3.271.2", "^3.270.0"), true);
        assert.equal(satisfiesCaret("3.269.9", "^3.270.0"), false);
        assert.equal(satisfiesCaret("4.0.0", "^3.270.0"), false);
        assert.equal(satisfiesCaret("1.21.0", "^1.21.1"), false);
    });
});
