// Figures over repeated runs of a section: each of value, baseline and ratio is the median of its
// per-run values, with the smallest and largest. The ratio is the median of the runs' own ratios
// (each taken within one run), not the ratio of the medians: that is the number a noisy machine
// leaves meaningful.
import { type BenchFigure, type BenchSection, ratioOf, type Spread } from "./types";

export function median(xs: readonly number[]): number {
    if (xs.length === 0) throw new RangeError("median of no values");
    const s = [...xs].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** A figure from samples a section took itself (value and baseline paired per sample, as measured together). */
export function figureOfSamples(name: string, unit: string, baselineName: string, samples: readonly { value: number; baseline: number }[]): BenchFigure {
    return aggregateFigure(samples.map((s) => ({ name, unit, baselineName, value: s.value, baseline: s.baseline, ratio: ratioOf(s.value, s.baseline) })));
}

function aggregateFigure(runs: readonly BenchFigure[]): BenchFigure & { runs: number; min: Spread; max: Spread } {
    const first = runs[0] as BenchFigure;
    const pick = (k: keyof Spread) => runs.map((f) => f[k]);
    const spread = (f: (xs: number[]) => number): Spread => ({ value: f(pick("value")), baseline: f(pick("baseline")), ratio: f(pick("ratio")) });
    return {
        name: first.name,
        unit: first.unit,
        value: median(pick("value")),
        baseline: median(pick("baseline")),
        baselineName: first.baselineName,
        ratio: median(pick("ratio")),
        runs: runs.length,
        min: spread((xs) => Math.min(...xs)),
        max: spread((xs) => Math.max(...xs)),
    };
}

/**
 * One section's runs as one: every figure (matched by name, in the first run's order) the median
 * of its runs with min and max. A single run keeps the runs, min and max its section set from its
 * own samples (e.g. the median of several processes), else it is a run of one.
 */
export function aggregateRuns(runs: readonly BenchSection[]): BenchSection {
    const first = runs[0];
    if (first === undefined) throw new RangeError("no runs to aggregate");
    for (const [i, r] of runs.entries()) {
        if (r.figures.length !== first.figures.length) throw new Error(`section ${first.key}: run ${i + 1} has ${r.figures.length} figures, run 1 ${first.figures.length}`);
    }
    const figures = first.figures.map((f) => {
        const same = runs.map((r, i) => {
            const match = r.figures.find((g) => g.name === f.name);
            if (match === undefined) throw new Error(`section ${first.key}: run ${i + 1} has no figure "${f.name}"`);
            return match;
        });
        if (runs.length === 1 && f.runs !== undefined && f.min !== undefined && f.max !== undefined) return f;
        return aggregateFigure(same);
    });
    return { ...first, figures };
}
