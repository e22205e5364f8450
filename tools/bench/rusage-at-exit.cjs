// Preloaded (--require) into a process the benchmark spawns: at exit, its CPU time and peak RSS on
// stderr as one line, `rusage {...}` (process.resourceUsage: maxRSS in KiB, CPU times in µs).
process.on("exit", () => {
    const u = process.resourceUsage();
    process.stderr.write(`rusage ${JSON.stringify({ maxRSS: u.maxRSS, userCPUTime: u.userCPUTime, systemCPUTime: u.systemCPUTime })}\n`);
});
