// npm run gen:config
// Rewrites Pulumi.yaml's config section and the README's configuration table from the schema of keys
// (infra/settings/schema.ts), the one place a setting is defined. Exit 0; prints what changed.
import * as fs from "node:fs";
import * as path from "node:path";
import { runMain } from "./lib/cli";
import { withPulumiConfig, withReadmeTable } from "./lib/config-docs";

const ROOT = path.resolve(__dirname, "..");

const FILES: [string, (text: string) => string][] = [
    ["Pulumi.yaml", withPulumiConfig],
    ["README.md", withReadmeTable],
];

async function main(): Promise<number> {
    for (const [name, render] of FILES) {
        const file = path.join(ROOT, name);
        const before = fs.readFileSync(file, "utf8");
        const after = render(before);
        if (after !== before) fs.writeFileSync(file, after);
        console.log(`${name}: ${after === before ? "up to date" : "rewritten"}`);
    }
    return 0;
}

runMain(main, "npm run gen:config", 2);
