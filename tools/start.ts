// npm start: what a new user runs first. For now the offline preview of the dev stack with its
// policy check (the local pipeline on emulators extends it).
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const tsx = path.join(__dirname, "..", "node_modules", ".bin", "tsx");
const preview = spawnSync(tsx, [path.join(__dirname, "preview-offline.ts"), "--stack", "dev", ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(preview.status ?? 1);
