// Runs the project's TypeScript as CommonJS with esbuild, the way tsx does (same transform options,
// transforms cached on disk by content), but leaves node_modules to Node's own loader: tsx's hooks
// about double the time it takes to load @pulumi/* and the AWS SDK, which every test process and
// every spawned CLI tool pays.
// Usage: `node --require ./tests/support/ts-hook.cjs file.ts` (and mocha's `require` in .mocharc.json).
const Module = require("node:module");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

// `import()` becomes `require()`: Node's own import() would look for the `.js` a NodeNext specifier names.
const options = { loader: "ts", format: "cjs", target: `node${process.versions.node}`, sourcemap: "inline", keepNames: true, supported: { "dynamic-import": false } };
const cacheDir = path.join(os.tmpdir(), `ts-hook-${process.getuid?.() ?? "user"}`);
const esbuildVersion = require("esbuild/package.json").version;
fs.mkdirSync(cacheDir, { recursive: true });
let esbuild;

/** The CommonJS of a TypeScript source, from the cache when this exact source was seen before. */
function compile(source, filename) {
    const key = crypto.createHash("sha1").update(`${esbuildVersion}\0${filename}\0${JSON.stringify(options)}\0${source}`).digest("hex");
    const cached = path.join(cacheDir, `${key}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        esbuild ??= require("esbuild");
        const { code } = esbuild.transformSync(source, { ...options, sourcefile: filename });
        // Write then rename, so a parallel worker never reads half a file.
        const tmp = `${cached}.${process.pid}`;
        fs.writeFileSync(tmp, code);
        fs.renameSync(tmp, cached);
        return code;
    }
}

Module._extensions[".ts"] = (module, filename) => {
    module._compile(compile(fs.readFileSync(filename, "utf8"), filename), filename);
};

// NodeNext-style `./x.js` specifiers name the `./x.ts` source.
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
    try {
        return resolve.call(this, request, parent, ...rest);
    } catch (error) {
        if (!/^\.\.?\/.*\.js$/.test(request)) throw error;
        return resolve.call(this, `${request.slice(0, -3)}.ts`, parent, ...rest);
    }
};
